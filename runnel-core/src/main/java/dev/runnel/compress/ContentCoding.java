package dev.runnel.compress;

/**
 * One HTTP content coding for event streams ({@code gzip}, {@code zstd}, ...): the token a client
 * names in {@code Accept-Encoding} and the factory of one connection's compressor.
 *
 * <p>{@code gzip} is built into {@code runnel-core}; other codings come from modules that provide
 * this interface as a {@link java.util.ServiceLoader service} (for example {@code runnel-zstd}).
 * Implementations are stateless and safe for use from any thread.
 */
public interface ContentCoding {

    /** The coding's token, lower case, as in {@code Content-Encoding}: {@code "gzip"}, {@code "zstd"}. */
    String name();

    /** The smallest and largest base-2 logarithm of the window, in bytes, this coding accepts. */
    int minWindowLog();

    /** See {@link #minWindowLog()}. */
    int maxWindowLog();

    /** The window's base-2 logarithm when none is set: chosen so a connection costs at most 64 KiB. */
    int defaultWindowLog();

    /** The smallest and largest compression level this coding accepts (its own scale). */
    int minLevel();

    /** See {@link #minLevel()}. */
    int maxLevel();

    /** The level when none is set. */
    int defaultLevel();

    /**
     * Opens the compressor of one connection.
     *
     * @param windowLog base-2 logarithm of the window in bytes, from {@link #minWindowLog()} to
     *     {@link #maxWindowLog()}
     * @param level from {@link #minLevel()} to {@link #maxLevel()}
     * @throws IllegalArgumentException when a setting is out of range, naming it and the range
     */
    StreamCompressor open(int windowLog, int level);
}
