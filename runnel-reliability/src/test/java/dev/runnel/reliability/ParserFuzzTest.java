package dev.runnel.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.internal.EventStreamParser;
import dev.runnel.client.internal.LimitExceededException;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's parser on arbitrary bytes: it throws nothing but its documented
 * {@link LimitExceededException}, and exactly when a line is longer than the limit (or an event's
 * data larger); its buffers never outgrow the limits; and how the bytes are cut into chunks
 * changes nothing it reports.
 *
 * <p>Input layout: byte 0 picks the limits, byte 1 seeds the chunking, the rest is the stream.
 */
class ParserFuzzTest {

    private static final int[] LIMITS = {1, 7, 64, 300};
    /** The data buffer starts at this size whatever the limit; it never grows past the limit. */
    private static final int INITIAL_DATA_BUFFER = 256;

    @FuzzTest(maxDuration = "30s")
    void parserReportsTheSameWhateverTheChunksAndStaysWithinItsLimits(byte[] input) throws ReflectiveOperationException {
        if (input.length < 2) {
            return;
        }
        int maxLine = LIMITS[(input[0] & 0xFF) % LIMITS.length];
        int maxEvent = LIMITS[(input[0] & 0xFF) / LIMITS.length % LIMITS.length];
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);

        List<String> whole = parse(stream, maxLine, maxEvent, null);
        List<String> chunked = parse(stream, maxLine, maxEvent, new Random(input[1]));
        assertThat(chunked).isEqualTo(whole);

        String last = whole.isEmpty() ? "" : whole.getLast();
        boolean lineTooLong = longestLine(stream) > maxLine;
        if (lineTooLong) {
            // the parser may stop earlier, at an event too large, but never read past the long line
            assertThat(last).startsWith("limit ");
        } else {
            assertThat(last).isNotEqualTo("limit maxLineSize");
        }
    }

    /** What the parser reports, in order: events, comments, retries, and the limit that stopped it. */
    private static List<String> parse(byte[] stream, int maxLine, int maxEvent, Random chunks) throws ReflectiveOperationException {
        List<String> reported = new ArrayList<>();
        EventStreamParser parser = new EventStreamParser(new EventStreamParser.Handler() {
            @Override
            public void onEvent(MessageEvent e) {
                // chars never outnumber the bytes they were decoded from
                assertThat(e.data().length()).isLessThanOrEqualTo(maxEvent);
                assertThat(e.type().length()).isLessThanOrEqualTo(maxLine);
                assertThat(e.lastEventId().length()).isLessThanOrEqualTo(maxLine);
                reported.add("event " + e.type() + "|" + e.lastEventId() + "|" + e.data());
            }

            @Override
            public void onComment(String comment) {
                assertThat(comment.length()).isLessThanOrEqualTo(maxLine);
                reported.add("comment " + comment);
            }

            @Override
            public void onRetry(long millis) {
                reported.add("retry " + millis);
            }
        }, "", maxLine, maxEvent);
        try {
            for (int off = 0; off < stream.length; ) {
                int len = chunks == null ? stream.length : Math.min(stream.length - off, 1 + chunks.nextInt(9));
                parser.feed(stream, off, len);
                off += len;
                assertBuffersWithinLimits(parser, maxLine, maxEvent);
            }
            parser.end();
        } catch (LimitExceededException e) {
            assertThat(e.limit()).isEqualTo(e.option().equals("maxLineSize") ? maxLine : maxEvent);
            assertThat(e.option()).isIn("maxLineSize", "maxEventSize");
            reported.add("limit " + e.option());
        }
        return reported;
    }

    /** Memory is bounded: the parser's line and data buffers never outgrow the limits. */
    private static void assertBuffersWithinLimits(EventStreamParser parser, int maxLine, int maxEvent) throws ReflectiveOperationException {
        assertThat(buffer(parser, "line").length).isLessThanOrEqualTo(maxLine);
        assertThat(buffer(parser, "data").length).isLessThanOrEqualTo(Math.max(INITIAL_DATA_BUFFER, maxEvent + 1));
        assertThat(buffer(parser, "typeBytes").length).isLessThanOrEqualTo(maxLine);
    }

    private static byte[] buffer(EventStreamParser parser, String name) throws ReflectiveOperationException {
        // no accessor: these are private on purpose, so the test reads them as a debugger would
        Field field = EventStreamParser.class.getDeclaredField(name);
        field.setAccessible(true);
        return (byte[]) field.get(parser);
    }

    /** The longest line in bytes, its terminator (CR, LF or CRLF) excluded; a last unterminated line counts. */
    private static int longestLine(byte[] stream) {
        int longest = 0;
        int current = 0;
        for (byte b : stream) {
            if (b == '\r' || b == '\n') {
                current = 0;
            } else {
                longest = Math.max(longest, ++current);
            }
        }
        return longest;
    }
}
