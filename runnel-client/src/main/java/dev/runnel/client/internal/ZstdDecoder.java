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
        if (input.capacity() < length) {
            input = ByteBuffer.allocateDirect(length);
        }
        input.clear();
        input.put(coded, offset, length).flip();
        while (true) {
            int before = input.position();
            output.clear();
            boolean frameDone = decompress();
            output.flip();
            int n = output.remaining();
            atFrameEnd = frameDone;
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

    @Override
    public void end() throws IOException {
        if (!atFrameEnd) {
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
