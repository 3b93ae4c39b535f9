package dev.runnel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** Validation of an event's fields (spec section 1). */
class SseEventTest {

    @Test
    void negativeRetryIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SseEvent(null, null, -1L, "x"))
                .withMessageContaining("retry")
                .withMessageContaining("-1");
    }

    @Test
    void lineFeedInEventIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.of("a\nb", "x"))
                .withMessageContaining("SseEvent.event")
                .withMessageContaining("LF");
    }

    @Test
    void carriageReturnInEventIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.of("a\rb", "x"))
                .withMessageContaining("SseEvent.event")
                .withMessageContaining("CR");
    }

    @Test
    void nulInEventIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.of("a\0b", "x"))
                .withMessageContaining("SseEvent.event")
                .withMessageContaining("NUL");
    }

    @Test
    void lineFeedInIdIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SseEvent(null, "1\n2", null, "x"))
                .withMessageContaining("SseEvent.id")
                .withMessageContaining("LF");
    }

    @Test
    void carriageReturnInIdIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SseEvent(null, "1\r2", null, "x"))
                .withMessageContaining("SseEvent.id")
                .withMessageContaining("CR");
    }

    @Test
    void nulInIdIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.of("x").withId("1\0"))
                .withMessageContaining("SseEvent.id")
                .withMessageContaining("NUL");
    }

    @Test
    void nullDataIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> SseEvent.of(null))
                .withMessageContaining("data");
    }

    @Test
    void emptyEventAndIdAreStoredAsAbsent() {
        SseEvent event = new SseEvent("", "", null, "x");

        assertThat(event.event()).isNull();
        assertThat(event.id()).isNull();
    }

    @Test
    void withMethodsChangeOnlyTheirField() {
        SseEvent event = SseEvent.of("x").withEvent("e").withId("7").withRetry(10L).withData("y");

        assertThat(event).isEqualTo(new SseEvent("e", "7", 10L, "y"));
    }
}
