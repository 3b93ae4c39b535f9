package dev.runnel.client.internal;

import dev.runnel.client.MessageEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parser on its own, fed exactly the pieces each {@link Delivery} cuts. */
class EventStreamParserTest {

    /** What a parser reported. */
    private static final class Found implements EventStreamParser.Handler {
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

    static Stream<Arguments> casesAndDeliveries() {
        return SpecCases.all().stream().flatMap(c -> Stream.of(Delivery.values()).map(d -> Arguments.of(c, d)));
    }

    private static Found parse(byte[] input, Delivery delivery, String lastEventId, int maxLine, int maxEvent)
            throws LimitExceededException {
        Found found = new Found();
        EventStreamParser parser = new EventStreamParser(found, lastEventId, maxLine, maxEvent);
        for (byte[] piece : delivery.split(input)) {
            parser.feed(piece, 0, piece.length);
        }
        parser.end();
        return found;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("casesAndDeliveries")
    void parsesAsTheStandardSays(SpecCases.Case c, Delivery delivery) throws Exception {
        Found found = parse(c.input(), delivery, "", 1 << 20, 1 << 20);
        assertThat(found.events).containsExactlyElementsOf(c.events());
        assertThat(found.comments).containsExactlyElementsOf(c.comments());
        assertThat(found.retries).containsExactlyElementsOf(c.retries());
    }

    @Test
    void theLastEventIdOfAnEarlierConnectionCarriesOver() throws Exception {
        Found found = parse(utf8("data: a\n\nid: 8\ndata: b\n\n"), Delivery.WHOLE, "7", 1024, 1024);
        assertThat(found.events).containsExactly(new MessageEvent("message", "a", "7"), new MessageEvent("message", "b", "8"));
    }

    @Test
    void lastEventIdIsSetByADispatchNotByTheIdLine() throws Exception {
        Found found = new Found();
        EventStreamParser parser = new EventStreamParser(found, "", 1024, 1024);
        byte[] bytes = utf8("id: 1\n\nid: 2\ndata: x\n");
        parser.feed(bytes, 0, bytes.length);
        assertThat(parser.lastEventId()).isEqualTo("1");
        parser.end();
        assertThat(parser.lastEventId()).isEqualTo("1");
    }

    @Test
    void theParserReadsOnlyTheGivenRangeOfTheBuffer() throws Exception {
        Found found = new Found();
        EventStreamParser parser = new EventStreamParser(found, "", 1024, 1024);
        byte[] bytes = utf8("XXdata: a\n\nYY");
        parser.feed(bytes, 2, bytes.length - 4);
        assertThat(found.events).containsExactly(new MessageEvent("message", "a", ""));
    }

    @Test
    void aLineAtTheLimitIsAcceptedInEveryDelivery() throws Exception {
        String line = "data: " + "x".repeat(58); // 64 bytes
        for (Delivery delivery : Delivery.values()) {
            assertThat(parse(utf8(line + "\n\n"), delivery, "", 64, 1024).events).hasSize(1);
        }
    }

    @Test
    void aLineOverTheLimitFailsNamingTheOptionInEveryDelivery() {
        String line = "data: " + "x".repeat(59); // 65 bytes
        for (Delivery delivery : Delivery.values()) {
            assertThatThrownBy(() -> parse(utf8(line + "\n\n"), delivery, "", 64, 1024))
                    .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                        assertThat(e.option()).isEqualTo("maxLineSize");
                        assertThat(e.limit()).isEqualTo(64);
                    });
        }
    }

    @Test
    void aLineThatNeverEndsFailsOnceItPassesTheLimit() {
        Found found = new Found();
        EventStreamParser parser = new EventStreamParser(found, "", 64, 1024);
        byte[] chunk = utf8("x".repeat(40));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                parser.feed(chunk, 0, chunk.length);
            }
        }).isInstanceOf(LimitExceededException.class).hasMessageContaining("maxLineSize");
    }

    @Test
    void anEventOverTheLimitFailsNamingTheOption() throws Exception {
        // data "aaaa\nbbbb" is 9 bytes
        assertThat(parse(utf8("data: aaaa\ndata: bbbb\n\n"), Delivery.WHOLE, "", 64, 9).events).hasSize(1);
        assertThatThrownBy(() -> parse(utf8("data: aaaa\ndata: bbbbb\n\n"), Delivery.WHOLE, "", 64, 9))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> assertThat(e.option()).isEqualTo("maxEventSize"));
    }

    @Test
    void aLineEndIsFoundAtEveryOffsetOfAWord() throws Exception {
        // the parser looks for CR and LF eight bytes at a time; non-ASCII bytes must not look like either
        for (int length = 0; length <= 24; length++) {
            for (String end : List.of("\n", "\r", "\r\n")) {
                String value = "\u00ea\u010a\u010d".repeat(length).substring(0, length);
                byte[] bytes = utf8("data:" + value + end + end);
                Found found = parse(bytes, Delivery.WHOLE, "", 1024, 1024);
                assertThat(found.events).as("value of %d chars ending %s", length, end.replace("\r", "CR").replace("\n", "LF"))
                        .containsExactly(new MessageEvent("message", value, ""));
            }
        }
    }

    @Test
    void manyEventsInOneChunkAreAllDispatchedInOrder() throws Exception {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            stream.append("event: n\nid: ").append(i).append("\ndata: ").append(i).append("\n\n");
        }
        Found found = parse(utf8(stream.toString()), Delivery.WHOLE, "", 1024, 1024);
        assertThat(found.events).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(found.events.get(i)).isEqualTo(new MessageEvent("n", Integer.toString(i), Integer.toString(i)));
        }
    }

    @Test
    void aLargeEventSplitAcrossChunksIsReassembled() throws Exception {
        String data = "\u00e9\u2713".repeat(5000);
        byte[] bytes = utf8("data: " + data + "\n\n");
        Found found = new Found();
        EventStreamParser parser = new EventStreamParser(found, "", 1 << 20, 1 << 20);
        for (int off = 0; off < bytes.length; off += 1000) {
            parser.feed(bytes, off, Math.min(1000, bytes.length - off));
        }
        assertThat(found.events).containsExactly(new MessageEvent("message", data, ""));
    }
}
