package dev.runnel.testkit;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A coding for tests that wraps another under its own name, counts the compressors it opened and
 * the {@code close} calls they got, and can be made to throw from {@code compress} ({@link #failWith}).
 */
public final class CountingCoding implements ContentCoding {

    private final String name;
    private final ContentCoding inner;
    public final AtomicInteger opened = new AtomicInteger();
    public final AtomicInteger closeCalls = new AtomicInteger();
    public final AtomicInteger compressCalls = new AtomicInteger();
    public final AtomicInteger finishCalls = new AtomicInteger();
    private volatile Supplier<? extends Throwable> failure;
    private volatile int failAfter;

    public CountingCoding(String name, ContentCoding inner) {
        this.name = name;
        this.inner = inner;
    }

    /** From now on, every compressor's {@code compress} throws what {@code thrown} gives after {@code okCalls} good calls. */
    public void failWith(int okCalls, Supplier<? extends Throwable> thrown) {
        this.failAfter = okCalls;
        this.failure = thrown;
    }

    @Override public String name() { return name; }
    @Override public int minWindowLog() { return inner.minWindowLog(); }
    @Override public int maxWindowLog() { return inner.maxWindowLog(); }
    @Override public int defaultWindowLog() { return inner.defaultWindowLog(); }
    @Override public int minLevel() { return inner.minLevel(); }
    @Override public int maxLevel() { return inner.maxLevel(); }
    @Override public int defaultLevel() { return inner.defaultLevel(); }

    @Override
    public StreamCompressor open(int windowLog, int level) {
        StreamCompressor c = inner.open(windowLog, level);
        opened.incrementAndGet();
        return new StreamCompressor() {
            private int calls;

            @Override
            public ByteBuffer compress(ByteBuffer bytes) {
                compressCalls.incrementAndGet();
                Supplier<? extends Throwable> f = failure;
                if (f != null && calls++ >= failAfter) {
                    sneaky(f.get());
                }
                return c.compress(bytes);
            }

            @Override
            public ByteBuffer finish() {
                finishCalls.incrementAndGet();
                return c.finish();
            }

            @Override
            public long memoryBytes() {
                return c.memoryBytes();
            }

            @Override
            public void close() {
                closeCalls.incrementAndGet();
                c.close();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
