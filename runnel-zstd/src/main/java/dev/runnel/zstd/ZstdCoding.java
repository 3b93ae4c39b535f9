package dev.runnel.zstd;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;

/**
 * The {@code zstd} content coding (RFC 8878) on zstd-jni, found by {@link java.util.ServiceLoader}
 * once {@code runnel-zstd} is on the class path or module path.
 *
 * <p>Memory is what limits how many compressed streams a server holds, so the defaults are small:
 * a 4 KiB window ({@code windowLog} 12) at level 1 allocates at most 60 KiB per connection, all of
 * it off the heap ({@link StreamCompressor#memoryBytes()}; 10,000 such compressors that each
 * filled their window made 52 KiB each resident). Each doubling of the window adds about three
 * times its size (zstd keeps the window and a block of input, and its tables grow with it).
 * Levels above 1 add a second table (about 4 KiB at the default window); levels from 16 up add
 * the optimal parser's arrays (up to about 150 KiB). The window is bounded at 8 MiB
 * ({@code windowLog} 23), the most a browser must accept, and the level at 19.
 *
 * <p>Stateless and safe for use from any thread.
 */
public final class ZstdCoding implements ContentCoding {

    static final int MIN_WINDOW_LOG = 10;
    static final int MAX_WINDOW_LOG = 23;
    static final int DEFAULT_WINDOW_LOG = 12;
    static final int MIN_LEVEL = 1;
    static final int MAX_LEVEL = 19;
    static final int DEFAULT_LEVEL = 1;

    /** Public, for the service loader. */
    public ZstdCoding() {
    }

    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public int minWindowLog() {
        return MIN_WINDOW_LOG;
    }

    @Override
    public int maxWindowLog() {
        return MAX_WINDOW_LOG;
    }

    @Override
    public int defaultWindowLog() {
        return DEFAULT_WINDOW_LOG;
    }

    @Override
    public int minLevel() {
        return MIN_LEVEL;
    }

    @Override
    public int maxLevel() {
        return MAX_LEVEL;
    }

    @Override
    public int defaultLevel() {
        return DEFAULT_LEVEL;
    }

    @Override
    public StreamCompressor open(int windowLog, int level) {
        if (windowLog < MIN_WINDOW_LOG || windowLog > MAX_WINDOW_LOG) {
            throw new IllegalArgumentException("zstd windowLog must be from " + MIN_WINDOW_LOG + " to " + MAX_WINDOW_LOG
                    + " (a window of 1 KiB to 8 MiB), got " + windowLog);
        }
        if (level < MIN_LEVEL || level > MAX_LEVEL) {
            throw new IllegalArgumentException("zstd level must be from " + MIN_LEVEL + " to " + MAX_LEVEL + ", got " + level);
        }
        return new ZstdStreamCompressor(windowLog, level);
    }

    @Override
    public String toString() {
        return "zstd";
    }
}
