package dev.runnel.zstd;

import com.github.luben.zstd.ZstdDecompressCtx;
import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZstdCodingTest {

    private final ZstdCoding coding = new ZstdCoding();

    /** Decodes a zstd stream fed in pieces, as a client does: what came so far, decoded so far. */
    static final class Decoder implements AutoCloseable {
        private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
        private final ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        private boolean frameEnded;

        byte[] feed(ByteBuffer compressed) {
            ByteBuffer src = ByteBuffer.allocateDirect(Math.max(1, compressed.remaining()));
            src.put(compressed.duplicate()).flip();
            ByteBuffer dst = ByteBuffer.allocateDirect(1 << 16);
            while (true) {
                dst.clear();
                frameEnded = ctx.decompressDirectByteBufferStream(dst, src);
                dst.flip();
                byte[] out = new byte[dst.remaining()];
                dst.get(out);
                decoded.writeBytes(out);
                // done when the input is used up and the output had room to spare (nothing held back)
                if (!src.hasRemaining() && out.length < dst.capacity()) {
                    return decoded.toByteArray();
                }
            }
        }

        boolean frameEnded() {
            return frameEnded;
        }

        @Override
        public void close() {
            ctx.close();
        }
    }

    private static ByteBuffer bytes(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    /** Compresses each piece and checks, after every call, that what was sent decodes to all that was given. */
    private void assertEveryCallDecodes(int windowLog, int level, List<byte[]> pieces) {
        ByteArrayOutputStream given = new ByteArrayOutputStream();
        try (StreamCompressor compressor = coding.open(windowLog, level); Decoder decoder = new Decoder()) {
            for (byte[] piece : pieces) {
                ByteBuffer input = bytes(piece);
                ByteBuffer out = compressor.compress(input);
                assertThat(input.remaining()).as("the input buffer is left as it was").isEqualTo(piece.length);
                if (piece.length > 0) {
                    assertThat(out.remaining()).as("bytes in, bytes out").isPositive();
                } // zstd has nothing to flush for an empty call (unlike deflate's sync marker): that may be empty

                given.writeBytes(piece);
                assertThat(decoder.feed(out)).as("decoded so far, windowLog %d level %d", windowLog, level)
                        .isEqualTo(given.toByteArray());
            }
            ByteBuffer last = compressor.finish();
            assertThat(decoder.feed(last)).isEqualTo(given.toByteArray());
            assertThat(decoder.frameEnded()).as("finish() ends the frame").isTrue();
        }
    }

    private static List<byte[]> events(int count, long seed) {
        Random random = new Random(seed);
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String html = "event: row\ndata: <tr id=\"r" + i + "\"><td>Zürich ☃ 東京</td><td>" + random.nextInt()
                    + "</td></tr>\n\n";
            events.add(html.getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    @Test
    void everyCompressOutputDecodesToAllInputSoFar() {
        assertEveryCallDecodes(coding.defaultWindowLog(), coding.defaultLevel(), events(200, 1));
    }

    @Test
    void randomOddBytesAndEmptyCallsDecode() {
        Random random = new Random(7);
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] piece = new byte[i % 5 == 0 ? 0 : random.nextInt(3000)];
            random.nextBytes(piece);
            if (i % 7 == 0) {
                piece = new byte[] {0, (byte) 0xFF, (byte) 0xC3, '\r', '\n', (byte) 0x80};
            }
            pieces.add(piece);
        }
        assertEveryCallDecodes(coding.defaultWindowLog(), coding.defaultLevel(), pieces);
    }

    @Test
    void inputsLongerThanTheWindowDecode() {
        int window = 1 << coding.defaultWindowLog();
        List<byte[]> pieces = new ArrayList<>();
        for (byte[] event : events(20, 3)) {
            pieces.add(new String(event, StandardCharsets.UTF_8).repeat(3 * window / event.length + 1)
                    .getBytes(StandardCharsets.UTF_8));
        }
        assertEveryCallDecodes(coding.defaultWindowLog(), coding.defaultLevel(), pieces);
    }

    @Test
    void aOneMegabyteCallDecodes() {
        byte[] big = new byte[1 << 20];
        new Random(11).nextBytes(big);
        for (int i = 0; i < big.length; i += 97) {
            big[i] = '\n'; // some structure among the noise
        }
        assertEveryCallDecodes(coding.defaultWindowLog(), coding.defaultLevel(), List.of(new byte[0], big, "x".getBytes()));
    }

    @Test
    void everyWindowLogAndLevelBoundaryWorks() {
        int[] windowLogs = {coding.minWindowLog(), coding.defaultWindowLog(), coding.maxWindowLog()};
        int[] levels = {coding.minLevel(), coding.defaultLevel(), coding.maxLevel()};
        for (int windowLog : windowLogs) {
            for (int level : levels) {
                assertEveryCallDecodes(windowLog, level, events(20, windowLog * 31L + level));
            }
        }
    }

    @Test
    void aCompressedBufferWithAnOffsetIsReadFromItsPosition() {
        byte[] framed = "XXXXdata: hello\n\nYYYY".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer middle = ByteBuffer.wrap(framed, 4, framed.length - 8);
        ByteBuffer direct = ByteBuffer.allocateDirect(32).put("data: zwei\n\n".getBytes(StandardCharsets.US_ASCII)).flip();
        try (StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel());
             Decoder decoder = new Decoder()) {
            assertThat(decoder.feed(compressor.compress(middle))).asString().isEqualTo("data: hello\n\n");
            assertThat(decoder.feed(compressor.compress(direct))).asString().isEqualTo("data: hello\n\ndata: zwei\n\n");
            assertThat(direct.remaining()).isEqualTo(12);
        }
    }

    @Test
    void aSliceWithAnArrayOffsetIsReadFromItsOwnStart() {
        byte[] framed = "XXXXdata: hello\n\nYYYY".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer slice = ByteBuffer.wrap(framed, 4, framed.length - 8).slice(); // arrayOffset 4, position 0
        ByteBuffer readOnly = ByteBuffer.wrap(framed, 4, framed.length - 8).asReadOnlyBuffer();
        try (StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel());
             Decoder decoder = new Decoder()) {
            assertThat(decoder.feed(compressor.compress(slice))).asString().isEqualTo("data: hello\n\n");
            assertThat(decoder.feed(compressor.compress(readOnly))).asString().isEqualTo("data: hello\n\ndata: hello\n\n");
            assertThat(slice.position()).isZero();
        }
    }

    @Test
    void finishBeforeAnyCompressIsAnEmptyFrame() {
        try (StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel());
             Decoder decoder = new Decoder()) {
            ByteBuffer last = compressor.finish();
            assertThat(last.remaining()).isPositive();
            assertThat(decoder.feed(last)).isEmpty();
            assertThat(decoder.frameEnded()).isTrue();
        }
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheSettingAndRange() {
        assertThatThrownBy(() -> coding.open(coding.minWindowLog() - 1, coding.defaultLevel()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowLog").hasMessageContaining(String.valueOf(coding.minWindowLog() - 1))
                .hasMessageContaining(coding.minWindowLog() + " to " + coding.maxWindowLog());
        assertThatThrownBy(() -> coding.open(coding.maxWindowLog() + 1, coding.defaultLevel()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowLog");
        assertThatThrownBy(() -> coding.open(coding.defaultWindowLog(), coding.minLevel() - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level").hasMessageContaining(coding.minLevel() + " to " + coding.maxLevel());
        assertThatThrownBy(() -> coding.open(coding.defaultWindowLog(), coding.maxLevel() + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("level");
        assertThatThrownBy(() -> coding.open(Integer.MIN_VALUE, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeTwiceIsHarmlessAndCompressAfterCloseFails() {
        StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel());
        compressor.compress(bytes("data: a\n\n".getBytes(StandardCharsets.US_ASCII)));
        compressor.close();
        compressor.close();
        assertThatThrownBy(() -> compressor.compress(bytes(new byte[] {1})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(compressor::finish).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void finishClosesTheCompressor() {
        StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel());
        compressor.finish();
        assertThatThrownBy(() -> compressor.compress(bytes(new byte[] {1}))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(compressor::finish).isInstanceOf(IllegalStateException.class);
        compressor.close();
    }

    @Test
    void closeRacingCompressNeverCrashes() throws Exception {
        byte[] big = new byte[256 << 10];
        new Random(5).nextBytes(big);
        for (int round = 0; round < 50; round++) {
            StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel());
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    for (int i = 0; i < 20; i++) {
                        compressor.compress(ByteBuffer.wrap(big));
                    }
                } catch (IllegalStateException expected) {
                    // closed meanwhile
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            started.await();
            compressor.close();
            writer.join();
            assertThat(failure.get()).isNull();
            assertThatThrownBy(() -> compressor.compress(ByteBuffer.wrap(big))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void memoryAtTheDefaultsIsAtMost64KiBAndGrowsWithTheWindow() {
        long atDefault;
        try (StreamCompressor compressor = coding.open(coding.defaultWindowLog(), coding.defaultLevel())) {
            atDefault = compressor.memoryBytes();
        }
        assertThat(atDefault).isBetween(16L << 10, 64L << 10);
        long previous = 0;
        for (int windowLog = coding.minWindowLog(); windowLog <= coding.maxWindowLog(); windowLog++) {
            try (StreamCompressor compressor = coding.open(windowLog, coding.defaultLevel())) {
                long bytes = compressor.memoryBytes();
                assertThat(bytes).as("windowLog %d", windowLog).isGreaterThan(previous).isGreaterThan(1L << windowLog);
                previous = bytes;
            }
        }
    }

    @Test
    void serviceLoaderFindsTheZstdCoding() {
        List<String> names = ServiceLoader.load(ContentCoding.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("zstd");
        assertThat(coding.name()).isEqualTo("zstd");
    }
}
