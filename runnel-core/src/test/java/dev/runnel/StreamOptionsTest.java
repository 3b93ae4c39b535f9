package dev.runnel;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class StreamOptionsTest {

    @Test
    void defaultHeartbeatIsFifteenSeconds() {
        assertThat(StreamOptions.DEFAULTS.heartbeat()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void nullHeartbeatMeansTheDefault() {
        assertThat(new StreamOptions(null, null, null, null, null, null).heartbeat()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void defaultsSendNoOriginNoRetryNoHeadersAndNoEventName() {
        assertThat(StreamOptions.DEFAULTS.allowedOrigin()).isNull();
        assertThat(StreamOptions.DEFAULTS.retry()).isNull();
        assertThat(StreamOptions.DEFAULTS.defaultEvent()).isNull();
        assertThat(StreamOptions.DEFAULTS.headers()).isEmpty();
    }

    @Test
    void heartbeatOfOneSecondIsAccepted() {
        assertThat(StreamOptions.DEFAULTS.withHeartbeat(Duration.ofSeconds(1)).heartbeat()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void heartbeatOfThreeHundredSecondsIsAccepted() {
        assertThat(StreamOptions.DEFAULTS.withHeartbeat(Duration.ofSeconds(300)).heartbeat()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void heartbeatJustUnderOneSecondIsRejectedWithTheAllowedRange() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withHeartbeat(Duration.ofMillis(999)))
                .withMessageContaining("1 s to 300 s")
                .withMessageContaining("0.999 s");
    }

    @Test
    void heartbeatOverThreeHundredSecondsIsRejectedWithTheAllowedRange() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withHeartbeat(Duration.ofSeconds(301)))
                .withMessageContaining("1 s to 300 s")
                .withMessageContaining("301 s");
    }

    @Test
    void zeroHeartbeatIsRejectedWithTheAllowedRange() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withHeartbeat(Duration.ZERO))
                .withMessageContaining("1 s to 300 s");
    }

    @Test
    void headerNameWithLineBreakIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withHeader("X-A\r\nX-B", "v"))
                .withMessageContaining("header name");
    }

    @Test
    void headerValueWithCrIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withHeader("X-A", "v\rSet-Cookie: x"))
                .withMessageContaining("X-A");
    }

    @Test
    void headerValueWithLfIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withHeader("X-A", "v\nSet-Cookie: x"))
                .withMessageContaining("X-A");
    }

    @Test
    void allowedOriginWithLineBreakIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withAllowedOrigin("https://a.example\r\nX: y"))
                .withMessageContaining("allowedOrigin");
    }

    @Test
    void defaultEventWithLineFeedIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withDefaultEvent("a\nb"));
    }

    @Test
    void emptyDefaultEventMeansNone() {
        assertThat(StreamOptions.DEFAULTS.withDefaultEvent("").defaultEvent()).isNull();
    }

    @Test
    void negativeRetryIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamOptions.DEFAULTS.withRetry(Duration.ofMillis(-1)))
                .withMessageContaining("retry");
    }

    @Test
    void headersKeepTheirOrderAndCannotBeChangedAfterwards() {
        StreamOptions options = StreamOptions.DEFAULTS.withHeader("X-B", "2").withHeader("X-A", "1");

        assertThat(options.headers()).containsExactly(Map.entry("X-B", "2"), Map.entry("X-A", "1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> options.headers().put("X-C", "3"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
