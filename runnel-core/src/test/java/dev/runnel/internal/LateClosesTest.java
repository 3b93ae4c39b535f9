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
        closes.closed(closes.closing(r -> true));
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
    void callsAreForgottenOnceDoneAndNoAdmissionThatConsidersThemIsInFlight() {
        LateCloses.Call first = closes.closing(r -> true);
        assertThat(closes.kept()).isEqualTo(1); // still looking at the open streams
        closes.closed(first);
        assertThat(closes.kept()).isZero();

        Object a = closes.admitting();
        Object b = closes.admitting();
        closes.closed(closes.closing(r -> true));
        closes.registered(a, ada);
        assertThat(closes.kept()).isEqualTo(1);
        closes.abandoned(b);
        assertThat(closes.kept()).isZero();
    }

    @Test
    void aCloseCountedBeforeTheAdmissionBeganButStillLookingIsNotMissed() {
        // the call has its number, but has not reached the open streams when the admission begins;
        // it then looks before the stream is registered, so only the admission can end the stream
        LateCloses.Call call = closes.closing(r -> r.path().equals("/sse/ada"));
        Object admission = closes.admitting();
        closes.closed(call);

        assertThat(closes.registered(admission, ada)).isTrue();
    }

    @Test
    void anAdmissionConsidersEveryCallStillLookingWhenItBegan() {
        LateCloses.Call matching = closes.closing(r -> r.path().equals("/sse/ada"));
        LateCloses.Call other = closes.closing(r -> r.path().equals("/sse/bob"));
        Object admission = closes.admitting();
        closes.closed(other);
        closes.closed(matching);

        assertThat(closes.registered(admission, ada)).isTrue();
        assertThat(closes.kept()).isZero();
    }

    @Test
    void aPredicateThatThrowsAnErrorCountsAsNoMatchAndTheOthersStillDecide() {
        Object admission = closes.admitting();
        closes.closing(r -> {
            throw new AssertionError("broken rule");
        });
        closes.closing(r -> true);

        assertThat(closes.registered(admission, ada)).isTrue();
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
