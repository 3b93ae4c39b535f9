package dev.runnel.internal;

import dev.runnel.compress.StreamCompressor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bytes on the wire for realistic event streams, one event per compress(), against the JDK's zlib. */
class GzipRatioTest {

    static List<byte[]> htmlEvents(int count) {
        SplittableRandom rnd = new SplittableRandom(1);
        String[] symbols = {"ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK"};
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder html = new StringBuilder("event: dashboard\ndata: <section class=\"panel\" id=\"p")
                    .append(i % 4).append("\" hx-swap-oob=\"true\">\n");
            for (int row = 0; row < 12; row++) {
                String symbol = symbols[rnd.nextInt(symbols.length)];
                html.append("data:   <div class=\"row ").append(rnd.nextBoolean() ? "up" : "down")
                        .append("\"><span class=\"sym\">").append(symbol)
                        .append("</span><span class=\"px\">")
                        .append(String.format(Locale.ROOT, "%.2f", 50 + rnd.nextDouble() * 100))
                        .append("</span><span class=\"vol\">").append(rnd.nextInt(1_000_000))
                        .append("</span></div>\n");
            }
            html.append("data: </section>\n\n");
            events.add(html.toString().getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    static List<byte[]> jsonEvents(int count) {
        SplittableRandom rnd = new SplittableRandom(2);
        List<byte[]> events = new ArrayList<>();
        long ts = 1717250587125L;
        for (int i = 0; i < count; i++) {
            ts += rnd.nextInt(50);
            events.add(String.format(Locale.ROOT, "data: {\"s\":\"ACME\",\"p\":%.2f,\"v\":%d,\"t\":%d}\n\n",
                    100 + rnd.nextDouble(), rnd.nextInt(5000), ts).getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    static long raw(List<byte[]> events) {
        return events.stream().mapToLong(e -> e.length).sum();
    }

    static long ours(List<byte[]> events, int windowLog, int level) {
        try (StreamCompressor c = new GzipCoding().open(windowLog, level)) {
            long total = 0;
            for (byte[] e : events) {
                total += c.compress(ByteBuffer.wrap(e)).remaining();
            }
            return total - 10; // the header, which zlib's raw deflate does not send
        }
    }

    static long jdk(List<byte[]> events, int level) {
        Deflater deflater = new Deflater(level, true);
        byte[] out = new byte[1 << 16];
        long total = 0;
        for (byte[] e : events) {
            deflater.setInput(e);
            int n;
            do {
                n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
                total += n;
            } while (n == out.length);
        }
        deflater.end();
        return total;
    }

    @Test
    void htmlFragmentsAreAtLeastFiveTimesSmallerAndCloseToZlib() {
        List<byte[]> events = htmlEvents(400);
        assertThat(raw(events) / (double) events.size()).isBetween(1000.0, 2000.0);
        GzipCoding gzip = new GzipCoding();
        long ours = ours(events, gzip.defaultWindowLog(), gzip.defaultLevel());
        assertThat(raw(events)).isGreaterThanOrEqualTo(5 * ours);
        for (int level = 1; level <= 9; level++) {
            assertThat((double) ours(events, 15, level)).as("level %d", level)
                    .isLessThanOrEqualTo(1.15 * jdk(events, level));
        }
        assertThat((double) ours).isLessThanOrEqualTo(1.15 * jdk(events, gzip.defaultLevel()));
    }

    @Test
    void jsonTickerEventsAreAtLeastThreeTimesSmallerAndCloseToZlib() {
        List<byte[]> events = jsonEvents(2000);
        assertThat(raw(events) / (double) events.size()).isBetween(50.0, 80.0);
        GzipCoding gzip = new GzipCoding();
        long ours = ours(events, gzip.defaultWindowLog(), gzip.defaultLevel());
        assertThat(raw(events)).isGreaterThanOrEqualTo(3 * ours);
        for (int level = 1; level <= 9; level++) {
            assertThat((double) ours(events, 15, level)).as("level %d", level)
                    .isLessThanOrEqualTo(1.15 * jdk(events, level));
        }
        assertThat((double) ours).isLessThanOrEqualTo(1.15 * jdk(events, gzip.defaultLevel()));
    }

    @Test
    void higherLevelsSearchHarderAndSendFewerBytes() {
        List<byte[]> events = htmlEvents(200);
        long fastest = ours(events, 13, 1);
        long greedyBest = ours(events, 13, 3);
        long lazy = ours(events, 13, 6);
        long best = ours(events, 13, 9);
        assertThat(greedyBest).isLessThan(fastest);
        assertThat(lazy).isLessThan(greedyBest);
        assertThat(best).isLessThan(lazy);
    }

    /** BTYPE of the first block in a compress() result (after the gzip header on the first call). */
    private static int firstBlockType(ByteBuffer out, int skip) {
        return (out.get(out.position() + skip) >> 1) & 3;
    }

    @Test
    void largeHtmlBatchIsSentAsDynamicHuffmanBlock() {
        StreamCompressor c = new GzipCoding().open(13, 6);
        ByteBuffer batch = ByteBuffer.allocate(8000);
        for (byte[] e : htmlEvents(4)) {
            batch.put(e);
        }
        assertThat(firstBlockType(c.compress(batch.flip()), 10)).isEqualTo(2);
        c.close();
    }

    @Test
    void tinyEventIsSentAsFixedHuffmanBlock() {
        StreamCompressor c = new GzipCoding().open(13, 6);
        List<byte[]> events = jsonEvents(20);
        c.compress(ByteBuffer.wrap(events.get(0)));
        for (byte[] e : events.subList(1, 20)) {
            assertThat(firstBlockType(c.compress(ByteBuffer.wrap(e)), 0)).isEqualTo(1);
        }
        c.close();
    }

    @Test
    void incompressibleBytesAreSentStored() {
        StreamCompressor c = new GzipCoding().open(13, 6);
        byte[] noise = new byte[2000];
        new SplittableRandom(3).nextBytes(noise);
        ByteBuffer out = c.compress(ByteBuffer.wrap(noise));
        assertThat(firstBlockType(out, 10)).isZero();
        assertThat(out.remaining()).isLessThanOrEqualTo(noise.length + 10 + 5 + 5);
        c.close();
    }
}
