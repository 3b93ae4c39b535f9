package dev.runnel.servlet.internal;

import dev.runnel.transport.SseTransport;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link SseTransport} on a Servlet 6 async response with non-blocking output.
 *
 * <p>The lifecycle's virtual thread writes with blocking calls; this class turns each into
 * non-blocking Servlet calls ({@code isReady}, {@code write}, {@code flush}) and parks the virtual
 * thread until the container's {@link WriteListener#onWritePossible} says the bytes went out. So no
 * container thread is held by a stream, a write can time out, and an abort never waits on a stuck
 * socket.
 *
 * <p>Non-blocking writes ({@link #writeAsync}, for the engine's write loops): the same steps
 * (write, flush, wait until {@code isReady()} says the flush is done) run as far as the output is
 * ready, on the loop's thread; when the output is not ready the write waits as {@link #pending}, and
 * {@code onWritePossible} resumes it on a virtual thread (never on the container's thread, which may
 * hold the connection's lock that a write on another thread takes). Each such write is told exactly
 * once: written, failed by the container, or failed when the response ends.
 *
 * <p>Threading: container callbacks only record what happened and wake the writer; they take no
 * lock (but {@code onTimeout} and {@code onError}, which must end the response before they return,
 * or the container dispatches to its error page). The writer, and
 * {@link #complete}/{@link #abort} from any thread, call the container while holding {@link #io},
 * and only for non-blocking calls, so the lock is never held across blocking I/O. This class owns
 * the {@link AsyncContext} and completes it once; a second time only when the container reports an
 * error ({@code onError}) after that complete, which the container's error state undoes.
 *
 * <p>Timeouts: the async timeout is switched off ({@code setTimeout(0)}): a stream lasts as long as
 * its producer and its client. Should a container fire {@code onTimeout} all the same, the stream
 * ends as if the client had left and the response is completed here, never by the container's
 * error dispatch.
 */
public final class ServletTransport implements SseTransport {

    private static final System.Logger LOG = System.getLogger("dev.runnel.servlet");

    private final AsyncContext async;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final ServletOutputStream out;
    private final ConnectionHooks hooks;
    private final Duration writeTimeout;
    private final ReentrantLock io = new ReentrantLock();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean gone = new AtomicBoolean();
    /** Whether {@link #end} completed the async context; written and read under {@link #io}. */
    private boolean completed;
    private volatile Throwable failure;
    private volatile Runnable disconnectListener;
    /** Set by whichever runs the disconnect listener first: {@link #clientGone} or {@link #onDisconnect}, never both. */
    private final AtomicBoolean told = new AtomicBoolean();
    /** A non-blocking write waiting for the output to be ready, set before each {@code isReady()} it may wait on. */
    private final AtomicReference<AsyncWrite> pending = new AtomicReference<>();

    private ServletTransport(AsyncContext async, HttpServletRequest request, HttpServletResponse response,
                             ServletOutputStream out, ConnectionHooks hooks, Duration writeTimeout) {
        this.async = async;
        this.request = request;
        this.response = response;
        this.out = out;
        this.hooks = hooks;
        this.writeTimeout = writeTimeout;
    }

    /**
     * Puts the request in async mode with no timeout and the response in non-blocking mode. Call it
     * on the container thread that is handling the request.
     *
     * @throws IllegalStateException when the servlet or a filter in front of it does not support async
     */
    public static ServletTransport open(HttpServletRequest request, HttpServletResponse response,
                                        ConnectionHooks hooks, Duration writeTimeout) throws IOException {
        if (!request.isAsyncSupported()) {
            throw new IllegalStateException("Runnel streams need async support, and the servlet or a filter in front of "
                    + request.getRequestURI() + " does not have it: register them with asyncSupported=true "
                    + "(<async-supported>true</async-supported>, @WebServlet(asyncSupported = true), "
                    + "or Dynamic.setAsyncSupported(true))");
        }
        AsyncContext async = request.isAsyncStarted() ? request.getAsyncContext() : request.startAsync(request, response);
        async.setTimeout(0);
        ServletOutputStream out = response.getOutputStream();
        ServletTransport transport = new ServletTransport(async, request, response, out, hooks, writeTimeout);
        async.addListener(transport.new Events());
        out.setWriteListener(transport.new Writable());
        return transport;
    }

    @Override
    public boolean isHttp1() {
        return request.getProtocol().startsWith("HTTP/1");
    }

    @Override
    public void start(int status, Map<String, String> headers) throws IOException {
        io.lock();
        try {
            ensureOpen();
            response.setStatus(status);
            headers.forEach((name, value) -> hooks.setHeader(response, name, value));
        } catch (RuntimeException e) {
            throw new IOException("response no longer writable: " + e, e);
        } finally {
            io.unlock();
        }
        flush(System.nanoTime() + writeTimeout.toNanos()); // commits the head before any body byte
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        long deadline = System.nanoTime() + writeTimeout.toNanos();
        ByteBuffer slice = bytes.slice();
        whenReady(deadline, () -> {
            if (slice.hasArray()) {
                out.write(slice.array(), slice.arrayOffset(), slice.remaining());
            } else {
                byte[] copy = new byte[slice.remaining()];
                slice.get(copy);
                out.write(copy);
            }
        });
        flush(deadline);
    }

    @Override
    public boolean writesAsync() {
        return true;
    }

    @Override
    public Duration writeTimeout() {
        return writeTimeout;
    }

    @Override
    public void writeAsync(ByteBuffer bytes, WriteCallback done) {
        advance(new AsyncWrite(bytes.slice(), done));
    }

    /**
     * Runs the write's steps as far as the output is ready, holding {@link #io} only while calling the
     * container; tells the write's callback (outside the lock) when it is done or has failed. Where the
     * output is not ready, the write stays {@link #pending} for {@code onWritePossible}.
     */
    private void advance(AsyncWrite w) {
        Throwable failure = null;
        boolean finished = false;
        io.lock();
        try {
            if (w.told.get()) {
                return; // resumed twice, or failed meanwhile
            }
            ensureOpen();
            pending.set(w); // before any isReady() that may say false: its onWritePossible finds it
            while (w.step < 3 && out.isReady()) {
                switch (w.step) {
                    case 0 -> writeOut(w.bytes);
                    case 1 -> out.flush();
                    default -> {
                        // the output is ready after the flush: the bytes went out
                    }
                }
                w.step++;
            }
            finished = w.step == 3;
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException ? e : new IOException("response no longer writable: " + e, e);
        } finally {
            if (finished || failure != null) {
                pending.compareAndSet(w, null);
            }
            io.unlock();
        }
        if (failure != null) {
            w.fail(failure);
        } else if (finished) {
            w.succeed();
        }
    }

    private void writeOut(ByteBuffer slice) throws IOException {
        if (slice.hasArray()) {
            out.write(slice.array(), slice.arrayOffset() + slice.position(), slice.remaining());
        } else {
            byte[] copy = new byte[slice.remaining()];
            slice.duplicate().get(copy);
            out.write(copy);
        }
    }

    /** Fails the non-blocking write waiting for the output, if any. Takes no lock. */
    private void failPending(Throwable cause) {
        AsyncWrite w = pending.getAndSet(null);
        if (w != null) {
            w.fail(cause);
        }
    }

    /** One non-blocking write: its bytes, how far it got, and its callback, told once. */
    private static final class AsyncWrite {
        final ByteBuffer bytes;
        final WriteCallback done;
        final AtomicBoolean told = new AtomicBoolean();
        /** 0: write the bytes; 1: flush; 2: wait for the flush; 3: done. Under {@link #io}. */
        int step;

        AsyncWrite(ByteBuffer bytes, WriteCallback done) {
            this.bytes = bytes;
            this.done = done;
        }

        void succeed() {
            if (told.compareAndSet(false, true)) {
                done.written();
            }
        }

        void fail(Throwable cause) {
            if (told.compareAndSet(false, true)) {
                done.failed(cause);
            }
        }
    }

    /** Flushes, then waits until the container has handed every byte to the network. */
    private void flush(long deadline) throws IOException {
        whenReady(deadline, out::flush);
        whenReady(deadline, () -> {
        });
    }

    @Override
    public void complete() {
        end(null);
    }

    @Override
    public void abort(Throwable cause) {
        end(cause == null ? new IOException("aborted") : cause);
    }

    /** Ends the response; true when this call did it, false when it had already ended. */
    private boolean end(Throwable abortCause) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        gone.set(true); // the response is over: an error the container reports from now on tells nobody anything
        boolean reusable = hooks.release();
        io.lock();
        try {
            // after the container's own error handling the connection may already carry another request
            if ((abortCause != null || !reusable) && failure == null) {
                hooks.closeConnection(abortCause != null ? abortCause
                        : new IOException("client sent data during a stream; closing the connection"));
            }
            async.complete();
            completed = true;
        } catch (RuntimeException e) {
            // the container ended the response first (after its own error dispatch)
            LOG.log(Level.DEBUG, () -> "completing the async response failed: " + e);
        } finally {
            io.unlock();
            wake.release();
        }
        failPending(abortCause != null ? abortCause : new IOException("response already ended"));
        return true;
    }

    @Override
    public void onDisconnect(Runnable listener) {
        this.disconnectListener = listener;
        hooks.onClientGone(this::clientGone);
        if (gone.get() && told.compareAndSet(false, true)) {
            listener.run(); // the client left before the listener was there
        }
    }

    @Override
    public void keepIdleAbove(Duration heartbeat) {
        hooks.keepIdleAbove(heartbeat);
    }

    /** A non-blocking call on the response output, made once {@code isReady()} said it may be. */
    private interface Io {
        void run() throws IOException;
    }

    /**
     * Runs {@code op} as soon as the output is ready, holding {@link #io} only while calling the
     * container. Parks in between: a container calls {@code onWritePossible} after any
     * {@code isReady()} that returned false.
     */
    private void whenReady(long deadline, Io op) throws IOException {
        while (true) {
            io.lock();
            try {
                ensureOpen();
                if (out.isReady()) {
                    op.run();
                    return;
                }
            } catch (RuntimeException e) {
                // a response the container has already completed or recycled
                throw new IOException("response no longer writable: " + e, e);
            } finally {
                io.unlock();
            }
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !wake.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    IOException timeout = new dev.runnel.transport.WriteTimeoutException(writeTimeout);
                    abort(timeout);
                    throw timeout;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort(e);
                throw new InterruptedIOException("interrupted while writing");
            }
        }
    }

    private void ensureOpen() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw f instanceof IOException e ? e : new IOException(f);
        }
        if (done.get()) {
            throw new IOException("response already ended");
        }
    }

    private void failed(Throwable t) {
        if (failure == null) {
            failure = t == null ? new IOException("client gone") : t;
        }
        wake.release();
        failPending(failure);
        clientGone();
    }

    /**
     * Tells the stream its client is gone. Called on the container's threads (and the socket watcher's):
     * the stream's reaction may wait for the hub's lock (a detach behind a long fan-out), which must never
     * hold a container thread, so it runs on a virtual thread of its own.
     */
    private void clientGone() {
        if (gone.compareAndSet(false, true)) {
            Runnable listener = disconnectListener;
            if (listener != null && told.compareAndSet(false, true)) {
                Thread.ofVirtual().name("runnel-gone").start(listener);
            }
        }
    }

    /** Output readiness, from the container. */
    private final class Writable implements WriteListener {
        @Override
        public void onWritePossible() {
            wake.release();
            AsyncWrite w = pending.get();
            if (w != null && !w.told.get()) {
                // resumed off the container's thread: a write takes the io lock and the container's own
                Thread.ofVirtual().name("runnel-servlet-write").start(() -> advance(w));
            }
        }

        @Override
        public void onError(Throwable t) {
            LOG.log(Level.DEBUG, () -> "write failed: " + t);
            failed(t);
        }
    }

    /** The async request's life, from the container. */
    private final class Events implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            if (!done.get()) {
                failed(new IOException("the container completed the response"));
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // the timeout is off, so the container is stopping (Tomcat times out every async request
            // then) or something set a timeout after Runnel did
            LOG.log(Level.INFO, "the container timed out the stream on " + request.getRequestURI() + "; ending it");
            failed(new IOException("async timeout"));
            end(new IOException("async timeout"));
        }

        @Override
        public void onError(AsyncEvent event) {
            LOG.log(Level.DEBUG, () -> "container reported an error: " + event.getThrowable());
            failed(event.getThrowable());
            // complete before returning: an async request no listener completes gets the container's
            // error page, included into the committed stream (through every filter, Spring Security's
            // included), and a warning in the log
            if (end(event.getThrowable() == null ? new IOException("client gone") : event.getThrowable())) {
                return; // completed just now, in the error state: that complete holds
            }
            // the writer completed before the container moved the request to its error state, which
            // undoes that complete: complete again here (refused, harmlessly, if it held). A writer
            // that has not completed yet does so after this, in the error state, and that holds.
            io.lock();
            try {
                if (completed) {
                    async.complete();
                }
            } catch (RuntimeException alreadyCompleting) {
                LOG.log(Level.TRACE, () -> "complete in onError refused: " + alreadyCompleting);
            } finally {
                io.unlock();
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
