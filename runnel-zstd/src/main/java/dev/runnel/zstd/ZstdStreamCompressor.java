package dev.runnel.zstd;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.runnel.compress.StreamCompressor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection's zstd stream: one frame, a {@code ZSTD_e_flush} after every {@link #compress}
 * (the window is kept), {@code ZSTD_e_end} on {@link #finish}.
 *
 * <p>The native context is freed exactly once, never while a call uses it: {@link #close} frees
 * it at once when no call holds the lock, else the call frees it as it leaves. Nothing else frees
 * it (no finalizer, no cleaner): its owner closes it on every end path.
 *
 * <p>Unlike deflate's sync flush, a zstd flush with nothing new to send sends nothing: a
 * {@code compress} of an empty buffer may return an empty one.
 */
final class ZstdStreamCompressor implements StreamCompressor {

    /**
     * zstd's context, entropy tables and workspaces that do not depend on the settings, with the
     * allocator's overhead: set from the resident memory of 10,000 compressors at the smallest window.
     */
    private static final long FIXED_BYTES = 28 << 10;
    private static final int BLOCK_SIZE_MAX = 128 << 10;

    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long memoryBytes;
    private ZstdCompressCtx context; // guarded by lock; null once freed

    ZstdStreamCompressor(int windowLog, int level) {
        int tableLog = tableLog(windowLog);
        ZstdCompressCtx created = new ZstdCompressCtx();
        try {
            created.setLevel(level);
            created.setWindowLog(windowLog);
            created.setHashLog(tableLog);
            created.setChainLog(tableLog);
            created.setChecksum(false);
            created.setContentSize(false);
        } catch (RuntimeException | Error e) {
            created.close();
            throw e;
        }
        this.context = created;
        this.memoryBytes = estimate(windowLog, level);
    }

    @Override
    public ByteBuffer compress(ByteBuffer bytes) {
        ByteBuffer input = readable(bytes.duplicate());
        return run(input, EndDirective.FLUSH, false);
    }

    @Override
    public ByteBuffer finish() {
        return run(ByteBuffer.allocate(0), EndDirective.END, true);
    }

    @Override
    public long memoryBytes() {
        return memoryBytes;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            freeUnlessBusy();
        }
    }

    private ByteBuffer run(ByteBuffer input, EndDirective directive, boolean last) {
        lock.lock();
        try {
            if (closed.get() || context == null) {
                throw new IllegalStateException("this zstd compressor is closed");
            }
            ByteBuffer out = ByteBuffer.allocate(capacityFor(input.remaining()));
            try {
                while (!context.compressByteBufferStream(out, input, directive) || input.hasRemaining()) {
                    if (!out.hasRemaining()) {
                        out = grown(out);
                    }
                }
            } catch (RuntimeException | Error e) {
                closed.set(true); // the stream's state is unknown: nothing more may be sent on it
                throw e;
            }
            if (last) {
                closed.set(true);
            }
            if (closed.get() && !last) {
                throw new IllegalStateException("this zstd compressor was closed during compress()");
            }
            return out.flip();
        } finally {
            if (closed.get()) {
                free();
            }
            lock.unlock();
            if (closed.get()) {
                freeUnlessBusy(); // a close() that came just as this call left
            }
        }
    }

    private void freeUnlessBusy() {
        if (lock.tryLock()) { // else the call holding it frees the context as it leaves
            try {
                free();
            } finally {
                lock.unlock();
            }
        }
    }

    private void free() {
        ZstdCompressCtx current = context;
        context = null;
        if (current != null) {
            current.close();
        }
    }

    /** zstd-jni reads heap buffers through their array: a read-only one is copied. */
    private static ByteBuffer readable(ByteBuffer input) {
        if (input.isDirect() || input.hasArray()) {
            return input;
        }
        ByteBuffer copy = ByteBuffer.allocate(input.remaining());
        copy.put(input).flip();
        return copy;
    }

    private static int capacityFor(int inputBytes) {
        // the frame header (at most 18 bytes) plus a block header per started block, and zstd's bound
        long bound = Zstd.compressBound(inputBytes) + 64;
        return (int) Math.min(bound, Integer.MAX_VALUE - 16);
    }

    private static ByteBuffer grown(ByteBuffer full) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(256, full.capacity() * 2));
        return bigger.put(full.flip());
    }

    /** Hash and chain tables a quarter of the window (in 4-byte entries), at most 64 K entries. */
    static int tableLog(int windowLog) {
        return Math.max(6, Math.min(windowLog - 2, 16));
    }

    /**
     * What zstd allocates for a stream at these settings, an upper bound of what a connection can
     * make resident: the window plus one block of buffered input, the output buffer of one block,
     * the sequence store of one block, the match finder's tables, the optimal parser's arrays for
     * levels 16 and up, and {@link #FIXED_BYTES}. It follows the parts of zstd's own streaming
     * estimate (zstd-jni does not expose it); ZstdMemoryMain prints it next to the resident memory
     * of thousands of compressors that each filled their window.
     */
    static long estimate(int windowLog, int level) {
        long window = 1L << windowLog;
        long block = Math.min(window, BLOCK_SIZE_MAX);
        long input = window + block;
        long output = block + (block >> 8) + (block < BLOCK_SIZE_MAX ? (BLOCK_SIZE_MAX - block) >> 11 : 0) + 1;
        long sequences = block / (level >= 16 ? 3 : 4);
        long sequenceStore = block + 32 + sequences * (8 + 3);
        long table = 4L << tableLog(windowLog);
        long tables = level == 1 ? table : 2 * table;
        long optimal = level >= 16 ? 150L << 10 : 0;
        return FIXED_BYTES + input + output + sequenceStore + tables + optimal;
    }
}
