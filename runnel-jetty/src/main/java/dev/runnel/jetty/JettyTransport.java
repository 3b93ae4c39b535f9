package dev.runnel.jetty;

import dev.runnel.transport.HttpPolicy;
import dev.runnel.transport.SocketWatcher;
import dev.runnel.transport.SseTransport;
import dev.runnel.transport.WriteTimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link SseTransport} on a Jetty 12 core {@link Response}. A blocking {@link #write} waits for
 * Jetty's write callback; {@link #writeAsync} hands Jetty's write callback straight to the engine's
 * write loop, declared non-blocking, so Jetty may tell it on its selector thread. This class owns
 * Jetty's handler {@link Callback} and completes it exactly once, in {@link #complete} or
 * {@link #abort}, from whichever thread ends the stream; an aborted response fails the write in
 * progress.
 *
 * <p>Disconnects: on HTTP/1.1 the connection's socket is watched by the server's
 * {@link SocketWatcher}; on HTTP/2 a client's stream reset reaches the request's failure
 * listener. Either fires the lifecycle's disconnect listener.
 */
final class JettyTransport implements SseTransport {

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final SocketWatcher watcher;
    private final Duration writeTimeout;
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile Runnable disconnectListener;
    private volatile SocketWatcher.Watch watch;
    private volatile long restoreIdleTimeout = -1;

    JettyTransport(Request request, Response response, Callback callback, SocketWatcher watcher, Duration writeTimeout) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.watcher = watcher;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public boolean isHttp1() {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        return version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
    }

    @Override
    public void start(int status, Map<String, String> headers) throws IOException {
        response.setStatus(status);
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Connection")) {
                response.getHeaders().put(name, value);
            } else if (!value.equalsIgnoreCase("keep-alive")) {
                response.getHeaders().put(HttpHeader.CONNECTION, value);
            } else if (connectionPersists()) {
                // Jetty drops "keep-alive" on HTTP/1.1 as the default; a field without a known header
                // is written as given, and SSE clients and proxies expect to see it.
                response.getHeaders().add(new HttpField((HttpHeader) null, name, value));
            } else {
                // the client asked to close, or HTTP/1.0, whose stream of unknown length ends with the connection
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
        });
        write(BufferUtil.EMPTY_BUFFER); // commits and flushes the headers now
    }

    /**
     * True when the connection will carry another request after this response, as Jetty decided when
     * it parsed the request: HTTP/1.1, not asked to close, persistent connections enabled and the
     * connector not shutting down. HTTP/1.0 never: a stream's unknown length ends with the connection.
     */
    private boolean connectionPersists() {
        return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1
                && request.getConnectionMetaData().isPersistent()
                && !request.getHeaders().contains(HttpHeader.CONNECTION, "close");
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (done.get()) {
            throw new IOException("response already ended");
        }
        Callback.Completable written = new Callback.Completable();
        response.write(false, bytes.slice(), written);
        try {
            written.get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(e);
            throw new InterruptedIOException("interrupted while writing");
        } catch (TimeoutException e) {
            IOException timeout = new WriteTimeoutException(writeTimeout);
            abort(timeout);
            throw timeout;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
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
    public void writeAsync(ByteBuffer bytes, WriteCallback written) {
        if (done.get()) {
            written.failed(new IOException("response already ended"));
            return;
        }
        try {
            response.write(false, bytes.slice(), new Callback() {
                @Override
                public void succeeded() {
                    written.written();
                }

                @Override
                public void failed(Throwable x) {
                    written.failed(x);
                }

                @Override
                public InvocationType getInvocationType() {
                    return InvocationType.NON_BLOCKING; // the loop's callback only queues a turn
                }
            });
        } catch (Throwable t) {
            written.failed(t); // told through the callback, as the contract asks, never thrown
        }
    }

    @Override
    public void complete() {
        if (done.compareAndSet(false, true)) {
            boolean reusable = stopWatching();
            if (!reusable) {
                // the watcher consumed bytes of the connection: it cannot carry another request
                callback.failed(new IOException("client sent data during a stream; closing the connection"));
                return;
            }
            callback.succeeded();
        }
    }

    @Override
    public void abort(Throwable cause) {
        if (done.compareAndSet(false, true)) {
            stopWatching();
            callback.failed(cause);
        }
    }

    @Override
    public void onDisconnect(Runnable listener) {
        this.disconnectListener = listener;
        // Jetty calls this on one of its own threads; the disconnect may wait for the hub's lock (a detach
        // behind a long fan-out), which must never hold a server thread: it runs on a virtual thread
        request.addFailureListener(failure -> {
            if (!gone.get()) {
                Thread.ofVirtual().name("runnel-gone").start(this::fireGone);
            }
        });
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (isHttp1() && endPoint instanceof SocketChannelEndPoint socket && watcher != null) {
            watch = watcher.watch(socket.getChannel(), this::fireGone);
            if (done.get()) {
                stopWatching();
            }
        }
    }

    @Override
    public void keepIdleAbove(Duration heartbeat) {
        if (!isHttp1()) {
            // An HTTP/2 stream times out on its own, even while its connection is busy with other
            // streams; a quiet stream is healthy (its heartbeats are due), so its idle timeouts are
            // ignored while it lasts. A dead peer still shows: the connection's timeout, a reset, or a
            // write that times out.
            request.addIdleTimeoutListener(timeout -> done.get());
            return;
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long current = endPoint.getIdleTimeout();
        long needed = HttpPolicy.streamIdleTimeoutMillis(current, heartbeat);
        if (needed != current) {
            restoreIdleTimeout = current;
            endPoint.setIdleTimeout(needed);
        }
    }

    private void fireGone() {
        if (gone.compareAndSet(false, true)) {
            Runnable listener = disconnectListener;
            if (listener != null) {
                listener.run();
            }
        }
    }

    /**
     * Stops the socket watch and gives the connection back its own idle timeout; false when the
     * watcher had to discard bytes, so the connection is spoiled.
     */
    private boolean stopWatching() {
        if (restoreIdleTimeout > 0) {
            request.getConnectionMetaData().getConnection().getEndPoint().setIdleTimeout(restoreIdleTimeout);
        }
        SocketWatcher.Watch w = watch;
        return w == null || !w.stop();
    }
}
