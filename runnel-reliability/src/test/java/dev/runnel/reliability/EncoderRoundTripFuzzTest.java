package dev.runnel.reliability;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.runnel.SseEvent;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.internal.EventStreamParser;
import dev.runnel.client.internal.LimitExceededException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one encoder against the one parser: whatever event {@link SseEvent} accepts, its encoding,
 * fed to the client's parser in chunks of any size, dispatches exactly that event again. What it
 * refuses, it refuses with a message naming the field.
 *
 * <p>The wire format's own rules apply: CRLF and CR in data arrive as LF, an unpaired surrogate is
 * encoded as {@code ?}, and an event without a name (or with an empty one) arrives as
 * {@code message}.
 */
class EncoderRoundTripFuzzTest {

    /** Characters the wire format treats specially, mixed into the fuzzer's strings. */
    private static final String[] TRICKY = {"\r", "\n", "\r\n", "\uD800", "\uDC00", "\uD83D\uDE00", "\uFEFF", "\0", ":", " ", "é"};

    @FuzzTest(maxDuration = "30s")
    void encodedEventParsesBackToItself(FuzzedDataProvider in) throws LimitExceededException {
        String event = in.consumeBoolean() ? tricky(in, in.consumeString(32)) : null;
        String id = in.consumeBoolean() ? tricky(in, in.consumeString(32)) : null;
        Long retry = in.consumeBoolean() ? in.consumeLong() : null;
        long chunking = in.consumeLong();
        String data = tricky(in, in.consumeRemainingAsString());

        String refused = refusedField(event, id, retry);
        SseEvent sse;
        try {
            sse = new SseEvent(event, id, retry, data);
        } catch (IllegalArgumentException e) {
            assertThat(refused).as("refused a valid event: %s", e.getMessage()).isNotNull();
            assertThat(e.getMessage()).startsWith("SseEvent." + refused + " ");
            return;
        }
        assertThat(refused).as("accepted an event whose %s the wire cannot carry", refused).isNull();

        List<MessageEvent> events = new ArrayList<>();
        List<Long> retries = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        EventStreamParser parser = new EventStreamParser(new EventStreamParser.Handler() {
            @Override
            public void onEvent(MessageEvent e) {
                events.add(e);
            }

            @Override
            public void onComment(String comment) {
                comments.add(comment);
            }

            @Override
            public void onRetry(long millis) {
                retries.add(millis);
            }
        }, "", Integer.MAX_VALUE - 16, Integer.MAX_VALUE - 16);
        byte[] wire = sse.encode();
        Random random = new Random(chunking);
        for (int off = 0; off < wire.length; ) {
            int len = Math.min(wire.length - off, 1 + random.nextInt(random.nextBoolean() ? 4 : 64));
            parser.feed(wire, off, len);
            off += len;
        }

        String expectedType = event == null || event.isEmpty() ? "message" : asEncoded(event);
        String expectedId = id == null || id.isEmpty() ? "" : asEncoded(id);
        String expectedData = asEncoded(data).replace("\r\n", "\n").replace('\r', '\n');
        assertThat(events).containsExactly(new MessageEvent(expectedType, expectedData, expectedId));
        assertThat(retries).isEqualTo(retry == null ? List.of() : List.of(retry));
        assertThat(comments).isEmpty();
    }

    /** Inserts up to three of {@link #TRICKY}, where the fuzzer says. */
    private static String tricky(FuzzedDataProvider in, String s) {
        StringBuilder b = new StringBuilder(s);
        for (int n = in.consumeInt(0, 3); n > 0; n--) {
            b.insert(in.consumeInt(0, b.length()), TRICKY[in.consumeInt(0, TRICKY.length - 1)]);
        }
        return b.toString();
    }

    /** The field {@code SseEvent} must refuse, or null: CR, LF or NUL in event or id, a negative retry. */
    private static String refusedField(String event, String id, Long retry) {
        if (event != null && event.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            return "event";
        }
        if (id != null && id.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            return "id";
        }
        if (retry != null && retry < 0) {
            return "retry";
        }
        return null;
    }

    /** {@code s} as UTF-8 can carry it: an unpaired surrogate becomes {@code ?}. */
    private static String asEncoded(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '?' : c);
            }
        }
        return b.toString();
    }
}
