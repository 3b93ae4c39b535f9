package dev.runnel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** The wire format of spec section 1, checked byte for byte. */
class SseEncoderTest {

    private static String wire(SseEvent event) {
        return new String(SseEncoder.encode(event), UTF_8);
    }

    @Test
    void fieldsAreWrittenInOrderEventIdRetryData() {
        SseEvent event = new SseEvent("tick", "42", 3000L, "hello");

        assertThat(wire(event)).isEqualTo("event: tick\nid: 42\nretry: 3000\ndata: hello\n\n");
    }

    @Test
    void dataOnlyEventIsOneDataLineAndBlankLine() {
        assertThat(wire(SseEvent.of("hello"))).isEqualTo("data: hello\n\n");
    }

    @Test
    void trailingLineFeedGivesAnEmptySecondDataLine() {
        assertThat(wire(SseEvent.of("a\n"))).isEqualTo("data: a\ndata: \n\n");
    }

    @Test
    void emptyDataGivesOneEmptyDataLine() {
        assertThat(wire(SseEvent.of(""))).isEqualTo("data: \n\n");
    }

    @Test
    void eachLineOfDataGetsItsOwnDataLine() {
        assertThat(wire(SseEvent.of("a\nb\nc"))).isEqualTo("data: a\ndata: b\ndata: c\n\n");
    }

    @Test
    void crlfAndLoneCrBecomeSeparateDataLines() {
        assertThat(wire(SseEvent.of("a\r\nb\rc"))).isEqualTo("data: a\ndata: b\ndata: c\n\n");
    }

    @Test
    void blankLineBetweenCrlfPairsIsKeptAsEmptyDataLine() {
        assertThat(wire(SseEvent.of("a\r\n\r\nb"))).isEqualTo("data: a\ndata: \ndata: b\n\n");
    }

    @Test
    void loneCrAloneGivesTwoEmptyDataLines() {
        assertThat(wire(SseEvent.of("\r"))).isEqualTo("data: \ndata: \n\n");
    }

    @Test
    void trailingCrlfGivesAnEmptyLastDataLine() {
        assertThat(wire(SseEvent.of("a\r\n"))).isEqualTo("data: a\ndata: \n\n");
    }

    @Test
    void crFollowedByLfIsOneBreakButLfFollowedByCrIsTwo() {
        assertThat(wire(SseEvent.of("a\n\rb"))).isEqualTo("data: a\ndata: \ndata: b\n\n");
    }

    @Test
    void unicodeDataIsUtf8() {
        String data = "café ✓ 😀";
        byte[] expected = ("data: " + data + "\n\n").getBytes(UTF_8);

        assertThat(SseEncoder.encode(SseEvent.of(data))).isEqualTo(expected);
    }

    @Test
    void unicodeCharactersHaveTheirUtf8ByteSequences() {
        byte[] bytes = SseEncoder.encode(SseEvent.of("é✓😀"));

        assertThat(bytes).containsExactly(
                'd', 'a', 't', 'a', ':', ' ',
                0xC3, 0xA9,             // é
                0xE2, 0x9C, 0x93,       // ✓
                0xF0, 0x9F, 0x98, 0x80, // 😀, one code point from a surrogate pair
                '\n', '\n');
    }

    @Test
    void unicodeEventAndIdAreUtf8() {
        SseEvent event = new SseEvent("é✓", "😀-1", null, "x");

        assertThat(SseEncoder.encode(event)).isEqualTo("event: é✓\nid: 😀-1\ndata: x\n\n".getBytes(UTF_8));
    }

    @Test
    void unpairedSurrogateIsWrittenAsQuestionMark() {
        String lonelyHigh = "a\uD83Db";
        String lonelyLow = "a\uDE00b";
        String highAtEnd = "a\uD83D";

        assertThat(wire(SseEvent.of(lonelyHigh))).isEqualTo("data: a?b\n\n");
        assertThat(wire(SseEvent.of(lonelyLow))).isEqualTo("data: a?b\n\n");
        assertThat(wire(SseEvent.of(highAtEnd))).isEqualTo("data: a?\n\n");
    }

    @Test
    void surrogatePairSplitByLineBreakIsTwoQuestionMarks() {
        assertThat(wire(SseEvent.of("\uD83D\n\uDE00"))).isEqualTo("data: ?\ndata: ?\n\n");
    }

    @Test
    void emptyEventAndIdAreNotWritten() {
        assertThat(wire(new SseEvent("", "", null, "x"))).isEqualTo("data: x\n\n");
    }

    @Test
    void retryZeroIsWritten() {
        assertThat(wire(new SseEvent(null, null, 0L, "x"))).isEqualTo("retry: 0\ndata: x\n\n");
    }

    @Test
    void heartbeatIsACommentAndBlankLine() {
        assertThat(SseEncoder.heartbeat()).isEqualTo(": heartbeat\n\n".getBytes(UTF_8));
    }

    @Test
    void heartbeatBytesCannotBeCorruptedByACaller() {
        SseEncoder.heartbeat()[0] = 'X';

        assertThat(SseEncoder.heartbeat()).isEqualTo(": heartbeat\n\n".getBytes(UTF_8));
    }

    @Test
    void commentWritesEveryLineAsACommentLine() {
        assertThat(new String(SseEncoder.comment("one\ntwo\r\nthree\rfour"), UTF_8))
                .isEqualTo(": one\n: two\n: three\n: four\n\n");
    }

    @Test
    void eventEncodeMatchesEncoder() {
        SseEvent event = new SseEvent("e", "1", 5L, "d");

        assertThat(event.encode()).isEqualTo(SseEncoder.encode(event));
    }

    @Test
    void dataLineCountCountsCrlfOnce() {
        assertThat(SseEvent.of("").dataLineCount()).isEqualTo(1);
        assertThat(SseEvent.of("a\r\nb\rc\nd").dataLineCount()).isEqualTo(4);
        assertThat(SseEvent.of("a\n").dataLineCount()).isEqualTo(2);
    }

    @Test
    void encoderMatchesStringReferenceForRandomText() {
        Random random = new Random(20240611L);
        for (int run = 0; run < 5000; run++) {
            String data = randomText(random);
            String event = random.nextBoolean() ? randomSingleLine(random) : null;
            String id = random.nextBoolean() ? randomSingleLine(random) : null;
            Long retry = random.nextInt(4) == 0 ? (long) random.nextInt(100_000) : null;
            SseEvent sse = new SseEvent(event, id, retry, data);

            byte[] expected = reference(event, id, retry, data);

            assertThat(SseEncoder.encode(sse))
                    .as("run %d, data %s", run, escape(data))
                    .isEqualTo(expected);
            assertThat(sse.dataLineCount())
                    .as("run %d, data %s", run, escape(data))
                    .isEqualTo(normalise(data).split("\n", -1).length);
        }
    }

    /** The wire form built the obvious way: String operations, then one getBytes. */
    private static byte[] reference(String event, String id, Long retry, String data) {
        StringBuilder sb = new StringBuilder();
        if (event != null && !event.isEmpty()) {
            sb.append("event: ").append(event).append('\n');
        }
        if (id != null && !id.isEmpty()) {
            sb.append("id: ").append(id).append('\n');
        }
        if (retry != null) {
            sb.append("retry: ").append(retry).append('\n');
        }
        for (String line : normalise(data).split("\n", -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        return sb.append('\n').toString().getBytes(UTF_8);
    }

    private static String normalise(String data) {
        return data.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String randomText(Random random) {
        int length = random.nextInt(24);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(9)) {
                case 0 -> sb.append('\r');
                case 1 -> sb.append('\n');
                case 2 -> sb.append("\r\n");
                case 3 -> sb.append((char) (0x80 + random.nextInt(0x780)));   // two-byte range
                case 4 -> sb.append((char) (0x800 + random.nextInt(0xD000))); // three-byte, below surrogates
                case 5 -> sb.appendCodePoint(0x10000 + random.nextInt(0x100000)); // surrogate pair
                case 6 -> sb.append((char) (0xD800 + random.nextInt(0x800))); // lone surrogate
                default -> sb.append((char) (0x20 + random.nextInt(0x5F)));  // printable ASCII
            }
        }
        return sb.toString();
    }

    private static String randomSingleLine(Random random) {
        return randomText(random).replace("\r", "").replace("\n", "");
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.chars().forEach(c -> sb.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return sb.append('"').toString();
    }
}
