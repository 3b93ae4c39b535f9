package dev.runnel.internal;

import dev.runnel.compress.StreamCompressor;
import dev.runnel.internal.deflate.IncrementalGunzip;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every compress() output, appended to the earlier ones, decodes to exactly the input so far (the
 * sync-flush property), over hostile inputs, every window and every level; the finished stream
 * passes GZIPInputStream's CRC32 and ISIZE checks.
 */
class GzipStreamTest {

    private static final String CJK_AND_EMOJI = "数据流 イベント 🚀🔥 données — ünïcödé 한국어 👩‍💻 ";

    /** Compresses the chunks one call each, checking the decoded stream after every call. */
    static byte[] roundTrip(StreamCompressor c, List<byte[]> chunks) {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        try (IncrementalGunzip gunzip = new IncrementalGunzip()) {
            for (int i = 0; i < chunks.size(); i++) {
                byte[] chunk = chunks.get(i);
                sent.writeBytes(chunk);
                ByteBuffer out = c.compress(ByteBuffer.wrap(chunk));
                assertThat(out.remaining()).as("call %d returns bytes", i).isPositive();
                decoded.writeBytes(gunzip.feed(out));
                if (!Arrays.equals(decoded.toByteArray(), sent.toByteArray())) {
                    throw new AssertionError("after call " + i + " (" + chunk.length + " bytes) decoded "
                            + decoded.size() + " of " + sent.size() + " bytes, or different bytes");
                }
            }
            ByteBuffer last = c.finish();
            assertThat(gunzip.feed(last)).isEmpty();
            assertThat(gunzip.finished()).as("final block read").isTrue();
            assertThat(gunzip.remaining()).as("trailer").isEqualTo(8);
            byte[] stream = gunzip.stream();
            byte[] input = sent.toByteArray();
            ByteBuffer trailer = ByteBuffer.wrap(stream, stream.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
            CRC32 crc = new CRC32();
            crc.update(input);
            assertThat(trailer.getInt() & 0xFFFFFFFFL).as("CRC32").isEqualTo(crc.getValue());
            assertThat(trailer.getInt()).as("ISIZE").isEqualTo(input.length);
            assertThat(IncrementalGunzip.gunzip(stream)).isEqualTo(input);
            return stream;
        }
    }

    private static byte[] random(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /** A mix of the inputs that break encoders, sized from the window so every size gets its edges. */
    static List<byte[]> hostileChunks(long seed, int windowLog) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int window = 1 << windowLog;
        int maxDistance = window - 262;
        List<byte[]> chunks = new ArrayList<>();
        chunks.add(new byte[0]);
        chunks.add(new byte[] {(byte) 0xFF});
        chunks.add(random(rnd, 1000));
        chunks.add(new byte[5000]);
        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        chunks.add(every);
        chunks.add(every);
        chunks.add(CJK_AND_EMOJI.repeat(40).getBytes(StandardCharsets.UTF_8));
        chunks.add(new byte[0]);
        // a long repeat of a short pattern (matches of 258 back to back) and one 258 + 1 run
        chunks.add("ab".repeat(3000).getBytes(StandardCharsets.US_ASCII));
        byte[] run = new byte[259];
        Arrays.fill(run, (byte) 'z');
        chunks.add(run);
        // a block repeated at exactly the largest distance, one byte beyond, and at the window size
        for (int distance : new int[] {maxDistance, maxDistance + 1, window, window + 1}) {
            byte[] block = random(rnd, Math.min(300, distance / 2));
            byte[] filler = random(rnd, distance - block.length);
            byte[] joined = Arrays.copyOf(block, distance + block.length);
            System.arraycopy(filler, 0, joined, block.length, filler.length);
            System.arraycopy(block, 0, joined, distance, block.length);
            chunks.add(joined);
        }
        // longer than the window in one call
        chunks.add(random(rnd, 3 * window + 17));
        byte[] text = ("event: tick\ndata: {\"n\":" + seed + ",\"é\":\"" + CJK_AND_EMOJI + "\"}\n\n")
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 40; i++) {
            int cut = rnd.nextInt(text.length + 1);
            chunks.add(Arrays.copyOf(text, cut));
            chunks.add(Arrays.copyOfRange(text, cut, text.length));
            chunks.add(new byte[] {(byte) rnd.nextInt(256)});
        }
        // the same 258-byte pattern spread so matches end right at a call's end
        byte[] pattern = random(rnd, 258);
        for (int i = 0; i < 6; i++) {
            chunks.add(pattern);
        }
        chunks.add(new byte[0]);
        return chunks;
    }

    @Test
    void everyCallOfAnEventStreamDecodesToAllInputSoFar() {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(("id: " + i + "\nevent: orders\ndata: <li class=\"order\" id=\"o" + i + "\">Café #" + i
                    + " brûlée ✓</li>\n\n").getBytes(StandardCharsets.UTF_8));
        }
        roundTrip(new GzipCoding().open(13, 6), events);
    }

    @Test
    void hostileInputsRoundTripAtEveryWindowAndLevel() {
        GzipCoding gzip = new GzipCoding();
        for (int windowLog = 9; windowLog <= 15; windowLog++) {
            for (int level = 1; level <= 9; level++) {
                try {
                    roundTrip(gzip.open(windowLog, level), hostileChunks(windowLog * 31L + level, windowLog));
                } catch (AssertionError e) {
                    throw new AssertionError("windowLog " + windowLog + " level " + level + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void randomChunkSizesRoundTrip() {
        GzipCoding gzip = new GzipCoding();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 30; round++) {
            int windowLog = 9 + rnd.nextInt(7);
            int level = 1 + rnd.nextInt(9);
            // text drawn from a small alphabet so matches of every length and distance occur
            List<byte[]> chunks = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                byte[] chunk = new byte[rnd.nextInt(rnd.nextBoolean() ? 40 : 3000)];
                int alphabet = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 256);
                for (int j = 0; j < chunk.length; j++) {
                    chunk[j] = (byte) ('a' + rnd.nextInt(alphabet));
                }
                chunks.add(chunk);
            }
            try {
                roundTrip(gzip.open(windowLog, level), chunks);
            } catch (AssertionError e) {
                throw new AssertionError("round " + round + " windowLog " + windowLog + " level " + level + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Test
    void oneMegabyteCallsRoundTrip() {
        GzipCoding gzip = new GzipCoding();
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] mixed = new byte[1 << 20];
        byte[] words = "event: data: <div class=\"cell\"> </div> ✓ 数据 ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < mixed.length; ) {
            if (rnd.nextInt(10) == 0) {
                mixed[i++] = (byte) rnd.nextInt(256);
            } else {
                int n = Math.min(1 + rnd.nextInt(words.length), mixed.length - i);
                int from = rnd.nextInt(words.length - n + 1);
                System.arraycopy(words, from, mixed, i, n);
                i += n;
            }
        }
        for (int[] setting : new int[][] {{9, 1}, {13, 6}, {15, 9}, {15, 4}}) {
            StreamCompressor c = gzip.open(setting[0], setting[1]);
            roundTrip(c, List.of(mixed, random(rnd, 1 << 20), new byte[1 << 20], "x".getBytes()));
        }
    }

    @Test
    void repeatAtTheLargestDistanceIsSentAsAReference() {
        for (int windowLog = 9; windowLog <= 15; windowLog++) {
            int window = 1 << windowLog;
            SplittableRandom rnd = new SplittableRandom(windowLog);
            byte[] block = random(rnd, 200);
            for (int distance : new int[] {window - 262, 4 * window}) {
                StreamCompressor c = new GzipCoding().open(windowLog, 9);
                byte[] first = Arrays.copyOf(block, distance);
                System.arraycopy(random(rnd, distance - block.length), 0, first, block.length, distance - block.length);
                c.compress(ByteBuffer.wrap(first));
                int sent = c.compress(ByteBuffer.wrap(block)).remaining();
                if (distance < window) {
                    assertThat(sent).as("windowLog %d distance %d", windowLog, distance).isLessThan(20);
                } else {
                    assertThat(sent).as("windowLog %d distance %d", windowLog, distance).isGreaterThan(200);
                }
                c.close();
            }
        }
    }
}
