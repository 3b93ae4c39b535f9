package dev.runnel.client.internal;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * zstd through zstd-jni's streaming decompression context, reached by reflection so that the
 * client needs zstd-jni neither to compile nor to run: when it is absent (or its native library
 * does not load here) {@link #available()} is false and {@code zstd} is never asked for.
 */
final class ZstdDecoder implements ContentDecoder {

    private static final String CONTEXT = "com.github.luben.zstd.ZstdDecompressCtx";
    private static final Constructor<?> NEW_CONTEXT;
    private static final Method DECOMPRESS;
    private static final Method CLOSE;
    private static final String MISSING;

    static {
        Constructor<?> create = null;
        Method decompress = null;
        Method close = null;
        String missing = null;
        try {
            Class<?> context = Class.forName(CONTEXT, true, ZstdDecoder.class.getClassLoader());
            create = context.getConstructor();
            decompress = context.getMethod("decompressDirectByteBufferStream", ByteBuffer.class, ByteBuffer.class);
            close = context.getMethod("close");
            close.invoke(create.newInstance()); // loads the native library now, not in the middle of a stream
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            missing = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        NEW_CONTEXT = missing == null ? create : null;
        DECOMPRESS = decompress;
        CLOSE = close;
        MISSING = missing;
    }

    private final ReentrantLock lock = new ReentrantLock(); // held by decode() while it uses the context
    private final AtomicBoolean closed = new AtomicBoolean();
    private Object context; // guarded by lock; null once freed
    private final ByteBuffer output = ByteBuffer.allocateDirect(1 << 16);
    private final byte[] out = new byte[1 << 16];
    private ByteBuffer input = ByteBuffer.allocateDirect(8192);
    private boolean atFrameEnd = true;
    /** The next byte starts a frame, whose header is read here first: zstd would accept a window of 128 MiB. */
    private boolean frameStart = true;
    private final byte[] head = new byte[HEADER_MAX]; // a frame's first bytes, held back until its window is known
    private int headFilled;

    /** RFC 9659: a zstd-coded HTTP body's window is at most 8 MiB; a larger one may be refused, as browsers do. */
    static final long MAX_WINDOW = 8L << 20;
    /** Magic, frame header descriptor, dictionary id and content size: what it takes to know the window. */
    private static final int HEADER_MAX = 4 + 1 + 4 + 8;

    ZstdDecoder() {
        if (NEW_CONTEXT == null) {
            throw new IllegalStateException("zstd-jni is not available: " + MISSING);
        }
        try {
            this.context = NEW_CONTEXT.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("zstd-jni could not create a decompression context", e);
        }
    }

    static boolean available() {
        return NEW_CONTEXT != null;
    }

    static String whyUnavailable() {
        return MISSING;
    }

    @Override
    public void decode(byte[] coded, int offset, int length, Sink sink) throws IOException {
        lock.lock();
        try {
            decodeLocked(coded, offset, length, sink);
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

    private void decodeLocked(byte[] coded, int offset, int length, Sink sink) throws IOException {
        if (closed.get() || context == null) {
            throw new IOException("the zstd decoder is closed");
        }
        if (input.capacity() < headFilled + length) {
            input = ByteBuffer.allocateDirect(headFilled + length);
        }
        input.clear();
        input.put(head, 0, headFilled).put(coded, offset, length).flip();
        headFilled = 0;
        while (true) {
            if (frameStart && input.hasRemaining()) {
                if (!windowAllowed(input)) {
                    headFilled = input.remaining(); // too few bytes to tell: kept for the next call
                    input.get(head, 0, headFilled);
                    return;
                }
                frameStart = false;
            }
            int before = input.position();
            output.clear();
            boolean frameDone = decompress();
            output.flip();
            int n = output.remaining();
            atFrameEnd = frameDone;
            frameStart = frameDone;
            if (n > 0) {
                output.get(out, 0, n);
                sink.accept(out, 0, n);
            }
            if (!input.hasRemaining() && n < output.capacity()) {
                return; // all input used, and nothing held back for want of room
            }
            if (n == 0 && input.position() == before) {
                throw new IOException("corrupt zstd data: the decoder made no progress");
            }
        }
    }

    private boolean decompress() throws IOException {
        if (closed.get()) {
            throw new IOException("the zstd decoder was closed while decoding");
        }
        try {
            return (Boolean) DECOMPRESS.invoke(context, output, input);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IOException("corrupt zstd data: " + (cause == null ? e : cause.getMessage()), cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the frame that starts at {@code in}'s position declares a window of at most
     * {@link #MAX_WINDOW}; false when too few bytes are there to tell. Reads without moving.
     *
     * @throws IOException when the window is larger
     */
    private static boolean windowAllowed(ByteBuffer in) throws IOException {
        int at = in.position();
        int left = in.remaining();
        if (left < 4) {
            return false;
        }
        int magic = (in.get(at) & 0xFF) | (in.get(at + 1) & 0xFF) << 8 | (in.get(at + 2) & 0xFF) << 16 | (in.get(at + 3) & 0xFF) << 24;
        if (magic != 0xFD2FB528) {
            return true; // a skippable frame, or not zstd at all: zstd says which
        }
        if (left < 5) {
            return false;
        }
        int descriptor = in.get(at + 4) & 0xFF;
        long window;
        if ((descriptor & 0x20) == 0) { // a window descriptor follows
            if (left < 6) {
                return false;
            }
            int w = in.get(at + 5) & 0xFF;
            long base = 1L << (10 + (w >>> 3));
            window = base + (base >> 3) * (w & 7);
        } else { // a single segment: the window is the content size
            int idBytes = new int[] {0, 1, 2, 4}[descriptor & 3];
            int sizeBytes = new int[] {1, 2, 4, 8}[descriptor >>> 6];
            int from = at + 5 + idBytes;
            if (left < 5 + idBytes + sizeBytes) {
                return false;
            }
            window = 0;
            for (int i = sizeBytes - 1; i >= 0; i--) {
                window = window << 8 | (in.get(from + i) & 0xFF);
            }
            window = sizeBytes == 2 ? window + 256 : window;
        }
        if (window < 0 || window > MAX_WINDOW) {
            throw new IOException("the zstd frame asks for a window of " + (window < 0 ? "over 8 EiB" : window + " bytes")
                    + "; HTTP's zstd coding allows at most 8 MiB (RFC 9659), and so does this client");
        }
        return true;
    }

    @Override
    public void end() throws IOException {
        if (!atFrameEnd || headFilled > 0) {
            throw new IOException("the zstd stream was truncated: the body ended inside a zstd frame");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            freeUnlessBusy();
        }
    }

    private void freeUnlessBusy() {
        if (lock.tryLock()) { // else the decode holding it frees the context as it leaves
            try {
                free();
            } finally {
                lock.unlock();
            }
        }
    }

    private void free() {
        Object current = context;
        context = null;
        if (current != null) {
            try {
                CLOSE.invoke(current);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // nothing more can be done; the context is not used again
            }
        }
    }
}
