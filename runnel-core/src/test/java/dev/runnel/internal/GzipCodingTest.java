package dev.runnel.internal;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;
import dev.runnel.internal.deflate.IncrementalGunzip;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GzipCodingTest {

    private final ContentCoding gzip = new GzipCoding();

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void advertisesItsNameAndRanges() {
        assertThat(gzip.name()).isEqualTo("gzip");
        assertThat(gzip.minWindowLog()).isEqualTo(9);
        assertThat(gzip.maxWindowLog()).isEqualTo(15);
        assertThat(gzip.defaultWindowLog()).isBetween(9, 15);
        assertThat(gzip.minLevel()).isEqualTo(1);
        assertThat(gzip.maxLevel()).isEqualTo(9);
        assertThat(gzip.defaultLevel()).isBetween(1, 9);
    }

    @Test
    void windowLogBelowRangeIsRejectedNamingSettingAndRange() {
        assertThatThrownBy(() -> gzip.open(8, gzip.defaultLevel()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowLog").hasMessageContaining("9").hasMessageContaining("15")
                .hasMessageContaining("8");
    }

    @Test
    void windowLogAboveRangeIsRejectedNamingSettingAndRange() {
        assertThatThrownBy(() -> gzip.open(16, gzip.defaultLevel()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowLog").hasMessageContaining("9 to 15").hasMessageContaining("16");
    }

    @Test
    void levelBelowRangeIsRejectedNamingSettingAndRange() {
        assertThatThrownBy(() -> gzip.open(gzip.defaultWindowLog(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level").hasMessageContaining("1 to 9").hasMessageContaining("0");
    }

    @Test
    void levelAboveRangeIsRejectedNamingSettingAndRange() {
        assertThatThrownBy(() -> gzip.open(gzip.defaultWindowLog(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level").hasMessageContaining("1 to 9").hasMessageContaining("10");
    }

    @Test
    void defaultCompressorHoldsAtMost64KiBAfterUse() {
        try (StreamCompressor c = gzip.open(gzip.defaultWindowLog(), gzip.defaultLevel())) {
            for (int i = 0; i < 500; i++) {
                c.compress(utf8("event: row\ndata: <div class=\"row\" id=\"r" + i + "\">" + "é".repeat(i % 7) + "</div>\n\n"));
            }
            c.compress(ByteBuffer.wrap(new byte[3000]));
            // incompressible: the largest output the compressor keeps its buffer for
            byte[] noise = new byte[7000];
            new java.util.SplittableRandom(1).nextBytes(noise);
            c.compress(ByteBuffer.wrap(noise));
            assertThat(c.memoryBytes()).isPositive().isLessThanOrEqualTo(64 * 1024);
        }
    }

    @Test
    void memoryGrowsWithWindowLog() {
        long previous = 0;
        for (int windowLog = 9; windowLog <= 15; windowLog++) {
            try (StreamCompressor c = gzip.open(windowLog, gzip.defaultLevel())) {
                c.compress(utf8("data: x\n\n"));
                long memory = c.memoryBytes();
                assertThat(memory).as("windowLog %d", windowLog).isGreaterThan(previous);
                // window, chains, hash heads and symbols scale with 2^windowLog; the Huffman tables
                // are the fixed ~7 KiB: no array may be sized for a larger window
                assertThat(memory).as("windowLog %d", windowLog).isLessThan((8L << windowLog) + 8 * 1024);
                previous = memory;
            }
        }
    }

    @Test
    void memoryBytesIsWhatOpeningActuallyAllocates() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        gzip.open(13, 6).close(); // class loading and initialisation out of the way
        for (int windowLog = 9; windowLog <= 15; windowLog++) {
            long before = threads.getThreadAllocatedBytes(self);
            StreamCompressor c = gzip.open(windowLog, 6);
            long allocated = threads.getThreadAllocatedBytes(self) - before;
            assertThat((double) c.memoryBytes()).as("windowLog %d allocated %d", windowLog, allocated)
                    .isBetween(allocated * 0.9, allocated * 1.1);
            c.close();
        }
    }

    @Test
    void closedCompressorHoldsNothing() {
        StreamCompressor c = gzip.open(13, 6);
        c.compress(utf8("data: x\n\n"));
        c.close();
        assertThat(c.memoryBytes()).isZero();
    }

    @Test
    void compressAfterCloseFails() {
        StreamCompressor c = gzip.open(13, 6);
        c.compress(utf8("data: x\n\n"));
        c.close();
        assertThatThrownBy(() -> c.compress(utf8("data: y\n\n")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void closeIsIdempotent() {
        StreamCompressor c = gzip.open(13, 6);
        c.close();
        c.close();
        c.close();
        assertThat(c.memoryBytes()).isZero();
    }

    @Test
    void finishAfterCloseFailsClearly() {
        StreamCompressor c = gzip.open(13, 6);
        c.compress(utf8("data: x\n\n"));
        c.close();
        assertThatThrownBy(c::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void finishClosesTheCompressor() {
        StreamCompressor c = gzip.open(13, 6);
        c.compress(utf8("data: x\n\n"));
        c.finish();
        assertThat(c.memoryBytes()).isZero();
        assertThatThrownBy(() -> c.compress(utf8("data: y\n\n"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(c::finish).isInstanceOf(IllegalStateException.class);
        c.close();
    }

    @Test
    void finishBeforeAnyCompressIsAnEmptyGzipStream() {
        StreamCompressor c = gzip.open(13, 6);
        ByteBuffer last = c.finish();
        byte[] stream = new byte[last.remaining()];
        last.get(stream);
        assertThat(IncrementalGunzip.gunzip(stream)).isEmpty();
    }

    @Test
    void compressLeavesTheCallersBufferUntouched() {
        try (StreamCompressor c = gzip.open(13, 6)) {
            ByteBuffer heap = utf8("xxdata: héllo\n\nyy").position(2).limit(18);
            ByteBuffer direct = ByteBuffer.allocateDirect(20).put(utf8("data: direct ✓\n\n")).flip();
            c.compress(heap);
            c.compress(direct);
            assertThat(heap.position()).isEqualTo(2);
            assertThat(heap.limit()).isEqualTo(18);
            assertThat(direct.position()).isZero();
            assertThat(direct.limit()).isEqualTo(utf8("data: direct ✓\n\n").remaining());
        }
    }
}
