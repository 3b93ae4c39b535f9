package dev.runnel.internal;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;

public final class GzipCoding implements ContentCoding {
    public String name() { return "gzip"; }
    public int minWindowLog() { return 9; }
    public int maxWindowLog() { return 15; }
    public int defaultWindowLog() { return 13; }
    public int minLevel() { return 1; }
    public int maxLevel() { return 9; }
    public int defaultLevel() { return 6; }
    public StreamCompressor open(int windowLog, int level) { throw new UnsupportedOperationException(); }
}
