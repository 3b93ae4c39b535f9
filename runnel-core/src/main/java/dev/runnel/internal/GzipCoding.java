package dev.runnel.internal;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;
import dev.runnel.internal.deflate.GzipCompressor;

/**
 * The built-in {@code gzip} coding: Runnel's own deflate encoder, written for event streams, whose
 * window and tables are sized from {@code windowLog} (the JDK's {@code Deflater} always holds about
 * 256 KiB). A connection's compressor holds, by windowLog: 9: 11 KiB, 10: 14 KiB, 11: 20 KiB,
 * 12: 32 KiB, 13 (the default, an 8 KiB window): 55 KiB, 14: 101 KiB, 15: 193 KiB.
 *
 * <p>Levels 1 to 3 take the first match found along a short hash chain; 4 to 9 look one byte further
 * for a longer match and search longer chains (6, the default, is gzip's own default).
 */
public final class GzipCoding implements ContentCoding {

    /** Creates the coding; it holds no state. */
    public GzipCoding() {
    }

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public int minWindowLog() {
        return 9;
    }

    @Override
    public int maxWindowLog() {
        return 15;
    }

    @Override
    public int defaultWindowLog() {
        return 13;
    }

    @Override
    public int minLevel() {
        return 1;
    }

    @Override
    public int maxLevel() {
        return 9;
    }

    @Override
    public int defaultLevel() {
        return 6;
    }

    @Override
    public StreamCompressor open(int windowLog, int level) {
        return new GzipCompressor(windowLog, level);
    }
}
