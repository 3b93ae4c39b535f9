package dev.runnel.internal.deflate;

import dev.runnel.compress.StreamCompressor;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * One connection's gzip stream (RFC 1952 around RFC 1951 deflate): the header with the first call,
 * then per {@link #compress} the input's blocks and an empty stored block (a sync flush) that leaves
 * the output byte-aligned and fully decodable while the window stays; {@link #finish} adds an empty
 * final block and the CRC32 and ISIZE trailer.
 *
 * <p>Threading as {@link StreamCompressor} says: a state word admits one call at a time; a
 * {@link #close} that finds a call running leaves the release to that call, which then fails with
 * {@link IllegalStateException}. A call that fails for any other reason closes the compressor: its
 * window no longer matches what the client holds.
 */
public final class GzipCompressor implements StreamCompressor {

    private static final int IDLE = 0;
    private static final int BUSY = 1;
    /** Closed while a call runs: the call releases and fails. */
    private static final int CLOSING = 2;
    private static final int CLOSED = 3;

    /** Input is taken in slices this big so a close during a long call ends it soon. */
    private static final int SLICE = 64 * 1024;

    private static final byte[] SYNC_MARKER = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final int level;
    private final CRC32 crc = new CRC32();
    private volatile DeflateEncoder encoder;
    private volatile BitOutput out;
    private boolean started;
    private int inputSize;

    /** Arguments as {@link dev.runnel.internal.GzipCoding#open} checked them: windowLog 9..15, level 1..9. */
    public GzipCompressor(int windowLog, int level) {
        if (windowLog < 9 || windowLog > 15) {
            throw new IllegalArgumentException("gzip windowLog must be from 9 to 15 (512 B to 32 KiB), was " + windowLog);
        }
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("gzip level must be from 1 to 9, was " + level);
        }
        this.level = level;
        this.out = new BitOutput(Math.min(1 << windowLog, 2048));
        this.encoder = new DeflateEncoder(windowLog, level, out);
    }

    @Override
    public ByteBuffer compress(ByteBuffer bytes) {
        Objects.requireNonNull(bytes, "bytes");
        enter("compress()");
        byte[] result;
        try {
            DeflateEncoder e = encoder;
            BitOutput o = out;
            start(o);
            int from = bytes.position();
            int to = bytes.limit();
            do {
                int sliceEnd = to - from > SLICE ? from + SLICE : to;
                e.deflate(bytes, from, sliceEnd, sliceEnd == to, crc);
                inputSize += sliceEnd - from;
                from = sliceEnd;
                if (state.get() == CLOSING) {
                    break;
                }
            } while (from < to);
            // sync flush: an empty stored block ends byte-aligned; the window is kept
            o.reserve(8);
            o.bits(0, 3);
            o.alignToByte();
            o.bytes(SYNC_MARKER, 0, 4);
            result = o.take();
        } catch (Throwable t) {
            release();
            state.set(CLOSED);
            throw t;
        }
        leave(BUSY, IDLE, "compress()");
        return ByteBuffer.wrap(result);
    }

    @Override
    public ByteBuffer finish() {
        enter("finish()");
        byte[] result;
        try {
            BitOutput o = out;
            start(o);
            o.reserve(16);
            // final block, fixed codes, only the end-of-block code (seven zero bits)
            o.bits(1 | 1 << 1, 3);
            o.bits(0, 7);
            o.alignToByte();
            o.intLE((int) crc.getValue());
            o.intLE(inputSize);
            result = o.take();
        } catch (Throwable t) {
            release();
            state.set(CLOSED);
            throw t;
        }
        release();
        leave(BUSY, CLOSED, "finish()");
        return ByteBuffer.wrap(result);
    }

    private void start(BitOutput o) {
        if (!started) {
            o.reserve(10);
            o.intLE(0x00088B1F); // ID1 ID2, CM = deflate, FLG = 0
            o.intLE(0); // MTIME unknown
            o.bits(level == 1 ? 4 : level == 9 ? 2 : 0, 8); // XFL: fastest or best
            o.bits(255, 8); // OS unknown
            started = true;
        }
    }

    private void enter(String call) {
        if (!state.compareAndSet(IDLE, BUSY)) {
            int s = state.get();
            throw new IllegalStateException(s == BUSY
                    ? "gzip compressor: " + call + " while another call is running (one call at a time)"
                    : "gzip compressor is closed: " + call + " after close() or finish()");
        }
    }

    private void leave(int from, int to, String call) {
        if (!state.compareAndSet(from, to)) {
            // close() came during the call and left the release to us
            release();
            state.set(CLOSED);
            throw new IllegalStateException("gzip compressor closed during " + call);
        }
    }

    /** Drops the window and tables; memory goes with the next GC. */
    private void release() {
        encoder = null;
        out = null;
    }

    /** Whether a call is running (for tests of close during a call). */
    boolean busy() {
        return state.get() == BUSY;
    }

    @Override
    public long memoryBytes() {
        DeflateEncoder e = encoder;
        BitOutput o = out;
        if (e == null || o == null) {
            return 0;
        }
        // this object, its state word and the CRC32
        return e.memoryBytes() + o.memoryBytes() + 3 * Sizes.OBJECT;
    }

    @Override
    public void close() {
        while (true) {
            int s = state.get();
            if (s == IDLE) {
                if (state.compareAndSet(IDLE, CLOSED)) {
                    release();
                    return;
                }
            } else if (s == BUSY) {
                if (state.compareAndSet(BUSY, CLOSING)) {
                    return;
                }
            } else {
                return;
            }
        }
    }
}
