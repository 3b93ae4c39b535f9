package dev.runnel.internal;

import dev.runnel.RequestContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LateClosesTest {

    private final LateCloses closes = new LateCloses();
    private final RequestContext ada = RequestContext.of("/sse/ada");

    @Test
    void aCloseMadeWhileTheHandlerRanEndsTheStreamOnceRegistered() {
        Object admission = closes.admitting();
        closes.closing(r -> r.path().equals("/sse/ada"));

        assertThat(closes.registered(admission, ada)).isTrue();
    }

    @Test
    void aCloseMadeBeforeTheAdmissionBeganDoesNotEndIt() {
        Object earlier = closes.admitting(); // keeps the call recorded
        closes.closing(r -> true);
        Object later = closes.admitting();

        assertThat(closes.registered(later, ada)).isFalse();
        assertThat(closes.registered(earlier, ada)).isTrue();
    }

    @Test
    void aCloseThatMatchesOtherRequestsDoesNotEndIt() {
        Object admission = closes.admitting();
        closes.closing(r -> r.path().equals("/sse/bob"));

        assertThat(closes.registered(admission, ada)).isFalse();
    }

    @Test
    void callsAreForgottenOnceNoAdmissionThatBeganBeforeThemIsInFlight() {
        closes.closing(r -> true);
        assertThat(closes.kept()).isZero();

        Object a = closes.admitting();
        Object b = closes.admitting();
        closes.closing(r -> true);
        closes.registered(a, ada);
        assertThat(closes.kept()).isEqualTo(1);
        closes.abandoned(b);
        assertThat(closes.kept()).isZero();
    }

    @Test
    void aPredicateThatThrowsDoesNotStopTheOthers() {
        Object admission = closes.admitting();
        closes.closing(r -> {
            throw new IllegalStateException("broken rule");
        });
        closes.closing(r -> true);

        assertThat(closes.registered(admission, ada)).isTrue();
    }
}
