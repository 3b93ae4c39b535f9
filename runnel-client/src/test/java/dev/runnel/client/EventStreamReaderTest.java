package dev.runnel.client;

import dev.runnel.client.internal.Delivery;
import dev.runnel.client.internal.SpecCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's parser through its public face, {@link EventStreamReader}. */
class EventStreamReaderTest {

    static Stream<Arguments> casesAndDeliveries() {
        return SpecCases.all().stream().flatMap(c -> Stream.of(Delivery.values()).map(d -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("casesAndDeliveries")
    void readsEveryCaseOfTheStandardInAnyChunking(SpecCases.Case c, Delivery delivery) throws IOException {
        Found found = new Found();
        EventStreamReader reader = new EventStreamReader(found);
        for (byte[] piece : delivery.split(c.input())) {
            reader.feed(piece, 0, piece.length);
        }
        reader.end();
        assertThat(found.events).containsExactlyElementsOf(c.events());
        assertThat(found.comments).containsExactlyElementsOf(c.comments());
        assertThat(found.retries).containsExactlyElementsOf(c.retries());
    }

    @Test
    void aLambdaIsEnoughAndOnlyTheGivenRangeIsRead() throws IOException {
        List<MessageEvent> events = new ArrayList<>();
        EventStreamReader reader = new EventStreamReader(events::add);
        byte[] bytes = "XXXX: ignored\ndata: caf\u00e9 \u2713\nid: 7\n\n: a comment\nretry: 10\n\nYYYY".getBytes(StandardCharsets.UTF_8);
        reader.feed(bytes, 4, bytes.length - 8);
        assertThat(events).containsExactly(new MessageEvent("message", "caf\u00e9 \u2713", "7"));
        assertThat(reader.lastEventId()).isEqualTo("7");
    }

    @Test
    void theLastEventIdOfTheOptionsIsWhereTheStreamStarts() throws IOException {
        List<MessageEvent> events = new ArrayList<>();
        EventStreamReader reader = new EventStreamReader(events::add, EventSourceOptions.DEFAULTS.withLastEventId("41"));
        assertThat(reader.lastEventId()).isEqualTo("41");
        byte[] bytes = "data: no id here\n\n".getBytes(StandardCharsets.UTF_8);
        reader.feed(bytes, 0, bytes.length);
        assertThat(events).containsExactly(new MessageEvent("message", "no id here", "41"));
    }

    @Test
    void aLineOverTheLimitFailsNamingTheLimitAndSpendsTheReader() throws IOException {
        EventStreamReader reader = new EventStreamReader(event -> { }, EventSourceOptions.DEFAULTS.withMaxLineSize(64));
        byte[] longLine = ("data: " + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII);
        byte[] fine = "data: ok\n\n".getBytes(StandardCharsets.US_ASCII);
        reader.feed(longLine, 0, 30); // cut before the limit: kept for the next chunk
        assertThatThrownBy(() -> reader.feed(longLine, 30, longLine.length - 30))
                .isInstanceOf(IOException.class).hasMessageContaining("maxLineSize").hasMessageContaining("64");
        assertThatThrownBy(() -> reader.feed(fine, 0, fine.length)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anEventOverTheDataLimitFails() {
        EventStreamReader reader = new EventStreamReader(event -> { }, EventSourceOptions.DEFAULTS.withMaxEventSize(10));
        byte[] bytes = "data: 123456\ndata: 123456\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> reader.feed(bytes, 0, bytes.length))
                .isInstanceOf(IOException.class).hasMessageContaining("maxEventSize");
    }

    @Test
    void aListenerThatThrowsStopsTheFeedAndSpendsTheReader() {
        List<String> seen = new ArrayList<>();
        EventStreamReader reader = new EventStreamReader(event -> {
            seen.add(event.data());
            throw new IllegalArgumentException("listener failed on " + event.data());
        });
        byte[] bytes = "data: one\n\ndata: two\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> reader.feed(bytes, 0, bytes.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("listener failed on one");
        assertThat(seen).containsExactly("one");
        assertThatThrownBy(() -> reader.feed(bytes, 0, bytes.length)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void endDiscardsAnUnfinishedEventAndRefusesMoreBytes() throws IOException {
        List<MessageEvent> events = new ArrayList<>();
        EventStreamReader reader = new EventStreamReader(events::add);
        byte[] bytes = "data: whole\n\ndata: cut off\n".getBytes(StandardCharsets.US_ASCII);
        reader.feed(bytes, 0, bytes.length);
        reader.end();
        assertThat(events).extracting(MessageEvent::data).containsExactly("whole");
        assertThatThrownBy(() -> reader.feed(bytes, 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRangeOutsideTheArrayIsRefusedBeforeAnyByteIsRead() throws IOException {
        List<MessageEvent> events = new ArrayList<>();
        EventStreamReader reader = new EventStreamReader(events::add);
        byte[] bytes = "data: a\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> reader.feed(bytes, 2, bytes.length)).isInstanceOf(IndexOutOfBoundsException.class);
        reader.feed(bytes, 0, bytes.length);
        assertThat(events).extracting(MessageEvent::data).containsExactly("a");
    }

    /** Records what a reader found. */
    private static final class Found implements EventStreamReader.Listener {
        final List<MessageEvent> events = new ArrayList<>();
        final List<String> comments = new ArrayList<>();
        final List<Long> retries = new ArrayList<>();

        @Override
        public void onEvent(MessageEvent event) {
            events.add(event);
        }

        @Override
        public void onComment(String comment) {
            comments.add(comment);
        }

        @Override
        public void onRetry(long millis) {
            retries.add(millis);
        }
    }
}
