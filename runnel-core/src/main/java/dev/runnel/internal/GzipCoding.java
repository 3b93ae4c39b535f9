package dev.runnel.internal;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;
import dev.runnel.internal.deflate.GzipCompressor;

/**
 * The built-in {@code gzip} coding: Runnel's own deflate encoder, written for event streams, whose
 * window and tables are sized from {@code windowLog} (the JDK's {@code Deflater} always holds about
 * 256 KiB). At the default, windowLog 13 (an 8 KiB window), a connection's compressor holds about
 * 58 KiB; each step up or down doubles or halves it.
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
