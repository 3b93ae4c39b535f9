package dev.runnel.internal.deflate;

/** Heap sizes for {@code memoryBytes()}: 64-bit JVM with compressed references (the default up to 32 GiB heaps). */
final class Sizes {

    /** An object header with a few fields, rounded as the JVM aligns it. */
    static final long OBJECT = 48;

    private Sizes() {
    }

    /** An array of {@code bytes} payload bytes: 16-byte header, 8-byte alignment. */
    static long array(long bytes) {
        return 16 + ((bytes + 7) & ~7L);
    }
}
