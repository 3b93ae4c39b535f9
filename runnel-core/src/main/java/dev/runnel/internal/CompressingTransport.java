package dev.runnel.internal;

import dev.runnel.RequestContext;
import dev.runnel.compress.Compression;
import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.ContentCodings;
import dev.runnel.compress.StreamCompressor;
import dev.runnel.transport.SseTransport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream's response with a content coding: the lifecycle writes plain event bytes, this transport
 * compresses each write (one {@link StreamCompressor#compress} per write, which ends with the sync
 * flush) and hands the result to the server's transport. Made by {@link #wrap} where the lifecycle
 * is made, so every server adapter gets it; the bytes it is given are the shared, encoded-once ones
 * and are never modified, the compressed ones are this connection's own.
 *
 * <p>Ends: {@link #complete} writes the coding's end ({@link StreamCompressor#finish}, a gzip
 * trailer) with a blocking write before completing; the lifecycle completes on the stream's own
 * thread or its end thread, never on a write loop. Every other end ({@link #abort}, a failed start
 * or write, a compressor that throws anything) closes the compressor. The compressor is closed
 * exactly once, and never while a call on it runs: an {@code abort} during a call leaves the close
 * to that call's thread, which does it as the call returns. A compressor that throws fails this
 * response's write (as an {@link IOException}); the lifecycle then ends this stream only.
 */
public final class CompressingTransport implements SseTransport {

    private static final System.Logger LOG = System.getLogger("dev.runnel.compress");
    private static final java.util.Set<String> OPEN_FAILURES_LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Test only: when the system property {@code runnel.compress.testOnlyHoldBack} is {@code true},
     * compressed bytes are held back until 64 KiB gathered or the stream ends, as a compressor that is
     * never flushed would; the promptness tests must then fail. Never set it in production.
     */
    static final boolean HOLD_BACK = Boolean.getBoolean("runnel.compress.testOnlyHoldBack");
    private static final int HOLD_BACK_BYTES = 64 * 1024;

    private final SseTransport inner;
    private final ContentCoding coding;
    private final int windowLog;
    private final int level;
    private final ReentrantLock calling = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean ending;
    /** Opened by {@link #start}; {@code null} before, or when opening it failed (the stream then goes plain). */
    private volatile StreamCompressor compressor;
    private java.io.ByteArrayOutputStream heldBack;

    private CompressingTransport(SseTransport inner, ContentCoding coding, int windowLog, int level) {
        this.inner = inner;
        this.coding = coding;
        this.windowLog = windowLog;
        this.level = level;
    }

    /**
     * {@code transport} itself when {@code compression} is off or the request accepts none of its
     * codings; else a transport that sends the chosen coding.
     */
    public static SseTransport wrap(SseTransport transport, Compression compression, RequestContext request) {
        if (compression == null || compression.isOff()) {
            return transport;
        }
        List<String> accepted = request.headers().get("Accept-Encoding");
        String chosen = AcceptEncoding.choose(compression, accepted);
        if (chosen == null) {
            return transport;
        }
        ContentCoding coding = ContentCodings.find(chosen).orElse(null);
        if (coding == null) {
            return transport; // checked when configured; a coding cannot go away, but plain is the safe answer
        }
        return new CompressingTransport(transport, coding, compression.windowLog(chosen), compression.level(chosen));
    }

    /** The coding this response is sent with. */
    public String coding() {
        return coding.name();
    }

    @Override
    public boolean isHttp1() {
        return inner.isHttp1();
    }

    /** Adds {@code Content-Encoding} and {@code Vary: Accept-Encoding} to a stream's head, and opens the compressor. */
    @Override
    public void start(int status, Map<String, String> headers) throws IOException {
        StreamCompressor opened = null;
        if (status == 200 && !ending) {
            try {
                opened = coding.open(windowLog, level);
            } catch (RuntimeException | Error e) { // also a native library that cannot load here: every stream would fail
                // once per coding with the cause: at 10,000 connections a log line each would be a flood
                boolean first = OPEN_FAILURES_LOGGED.add(coding.name());
                LOG.log(first ? Level.WARNING : Level.DEBUG, "opening a " + coding.name()
                        + " compressor failed; this stream is sent uncompressed" + (first ? " (logged once per coding)" : ""), first ? e : null);
            }
        }
        if (opened == null) {
            inner.start(status, headers);
            return;
        }
        compressor = opened;
        if (ending) {
            release(); // aborted while it opened
        }
        Map<String, String> head = new LinkedHashMap<>();
        String vary = null;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("Vary")) {
                vary = h.getValue();
            } else if (!h.getKey().equalsIgnoreCase("Content-Encoding") && !h.getKey().equalsIgnoreCase("Content-Length")) {
                head.put(h.getKey(), h.getValue());
            }
        }
        head.put("Content-Encoding", coding.name());
        head.put("Vary", vary == null || vary.isBlank() ? "Accept-Encoding" : vary + ", Accept-Encoding");
        try {
            inner.start(status, head);
        } catch (IOException | RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (compressor == null) {
            inner.write(bytes);
            return;
        }
        ByteBuffer out = compressed(bytes, false);
        if (out != null) {
            inner.write(out);
        }
    }

    @Override
    public boolean writesAsync() {
        return inner.writesAsync();
    }

    @Override
    public void writeAsync(ByteBuffer bytes, WriteCallback done) {
        if (compressor == null) {
            inner.writeAsync(bytes, done);
            return;
        }
        ByteBuffer out;
        try {
            out = compressed(bytes, false);
        } catch (IOException e) {
            done.failed(e);
            return;
        }
        if (out == null) {
            done.written();
            return;
        }
        inner.writeAsync(out, done);
    }

    @Override
    public Duration writeTimeout() {
        return inner.writeTimeout();
    }

    /** Writes the coding's end, then completes; a failure on the way aborts instead. */
    @Override
    public void complete() {
        if (compressor == null) {
            inner.complete();
            return;
        }
        ByteBuffer end;
        try {
            end = compressed(null, true);
        } catch (IOException e) {
            inner.abort(e); // without its end the body is truncated: the client must not take it as whole
            return;
        }
        try {
            inner.write(end);
        } catch (IOException | RuntimeException e) {
            inner.abort(e);
            return;
        } catch (Error e) {
            inner.abort(e); // the response must end: the lifecycle only logs what complete() throws
            throw e;
        }
        inner.complete();
    }

    @Override
    public void abort(Throwable cause) {
        try {
            inner.abort(cause);
        } finally {
            release();
        }
    }

    @Override
    public void onDisconnect(Runnable listener) {
        inner.onDisconnect(listener);
    }

    @Override
    public void keepIdleAbove(Duration heartbeat) {
        inner.keepIdleAbove(heartbeat);
    }

    /**
     * One compressor call: {@code compress(bytes)}, or {@code finish()} when {@code end}. Returns
     * {@code null} when there is nothing to send now (held back, test only). Whatever the compressor
     * throws, it is closed and the failure comes back as an {@link IOException}.
     */
    private ByteBuffer compressed(ByteBuffer bytes, boolean end) throws IOException {
        StreamCompressor c = compressor;
        calling.lock();
        try {
            if (ending) {
                throw new IOException("the stream's compressor is closed");
            }
            ByteBuffer out = end ? c.finish() : c.compress(bytes);
            if (end) {
                ending = true;
            }
            return HOLD_BACK ? heldBack(out, end) : out;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            ending = true;
            LOG.log(Level.ERROR, "the " + coding.name() + " compressor of a stream failed; ending that stream", t);
            throw new IOException("compressing the stream with " + coding.name() + " failed", t);
        } finally {
            calling.unlock();
            if (ending) {
                release();
            }
        }
    }

    private ByteBuffer heldBack(ByteBuffer out, boolean end) {
        if (heldBack == null) {
            heldBack = new java.io.ByteArrayOutputStream();
        }
        byte[] b = new byte[out.remaining()];
        out.duplicate().get(b);
        heldBack.writeBytes(b);
        if (!end && heldBack.size() < HOLD_BACK_BYTES) {
            return null;
        }
        ByteBuffer all = ByteBuffer.wrap(heldBack.toByteArray());
        heldBack.reset();
        return all;
    }

    /**
     * Marks the compressor for closing and closes it unless a call on it runs now; that call closes it
     * as it returns. Never blocks; closes at most once.
     */
    private void release() {
        ending = true;
        StreamCompressor c = compressor;
        if (c == null || !calling.tryLock()) {
            return;
        }
        try {
            if (closed.compareAndSet(false, true)) {
                try {
                    c.close();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "closing a " + coding.name() + " compressor failed", t);
                }
            }
        } finally {
            calling.unlock();
        }
    }
}
