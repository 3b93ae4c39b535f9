package dev.runnel.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptHeaderTest {

    @Test
    void absentHeaderAllowsEventStream() {
        assertThat(AcceptHeader.allowsEventStream(null)).isTrue();
    }

    @Test
    void blankHeaderAllowsEventStream() {
        assertThat(AcceptHeader.allowsEventStream("  ")).isTrue();
    }

    @Test
    void anyTypeAllowsEventStream() {
        assertThat(AcceptHeader.allowsEventStream("*/*")).isTrue();
    }

    @Test
    void anyTextTypeAllowsEventStream() {
        assertThat(AcceptHeader.allowsEventStream("text/*")).isTrue();
    }

    @Test
    void eventStreamAllowsEventStream() {
        assertThat(AcceptHeader.allowsEventStream("text/event-stream")).isTrue();
    }

    @Test
    void mediaTypeMatchIgnoresCaseAndSpaces() {
        assertThat(AcceptHeader.allowsEventStream(" Text/Event-Stream ; q=0.5")).isTrue();
    }

    @Test
    void lowWeightWildcardAfterOtherTypeAllowsEventStream() {
        assertThat(AcceptHeader.allowsEventStream("text/html, */*;q=0.1")).isTrue();
    }

    @Test
    void jsonOnlyExcludesEventStream() {
        assertThat(AcceptHeader.allowsEventStream("application/json")).isFalse();
    }

    @Test
    void htmlOnlyExcludesEventStream() {
        assertThat(AcceptHeader.allowsEventStream("text/html")).isFalse();
    }

    @Test
    void eventStreamWithZeroWeightIsExcluded() {
        assertThat(AcceptHeader.allowsEventStream("text/event-stream;q=0")).isFalse();
    }

    @Test
    void wildcardWithZeroWeightIsExcluded() {
        assertThat(AcceptHeader.allowsEventStream("*/*;q=0")).isFalse();
    }

    @Test
    void mostSpecificRangeWinsOverLaterWildcard() {
        assertThat(AcceptHeader.allowsEventStream("text/event-stream;q=0, */*")).isFalse();
    }

    @Test
    void mostSpecificRangeWinsOverEarlierWildcard() {
        assertThat(AcceptHeader.allowsEventStream("*/*, text/event-stream;q=0")).isFalse();
    }

    @Test
    void eventStreamAllowedEvenWhenWildcardIsExcluded() {
        assertThat(AcceptHeader.allowsEventStream("*/*;q=0, text/event-stream")).isTrue();
    }
}
