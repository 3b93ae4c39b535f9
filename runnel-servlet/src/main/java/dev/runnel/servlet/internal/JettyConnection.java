package dev.runnel.servlet.internal;

import dev.runnel.transport.HttpPolicy;
import dev.runnel.transport.SocketWatcher;
import org.eclipse.jetty.ee10.servlet.ServletApiRequest;
import org.eclipse.jetty.ee10.servlet.ServletChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * {@link ConnectionHooks} for Jetty 12 EE10: unwraps the servlet request to Jetty's core request,
 * whose endpoint gives the socket (watched by a {@link SocketWatcher}, since Jetty does not read an
 * HTTP/1.1 connection while its response streams), the idle timeout and a way to abort; HTTP/2
 * stream resets reach the core request's failure listener. No reflection: everything used is
 * Jetty's public API.
 *
 * <p>No code names this class: {@link ContainerHook} loads it by name, and only after finding Jetty's
 * classes, so {@code runnel-servlet} runs on other containers without Jetty on the class path. Keep
 * {@link #of} as it is: it is looked up by name and type.
 */
final class JettyConnection implements ConnectionHooks {

    private final ServletContextRequest request;
    private final Supplier<SocketWatcher> watcher;
    private volatile SocketWatcher.Watch watch;
    private volatile long restoreIdleTimeout = -1;
    private volatile boolean released;

    private JettyConnection(ServletContextRequest request, Supplier<SocketWatcher> watcher) {
        this.request = request;
        this.watcher = watcher;
    }

    /** Hooks for {@code request}, or {@code null} when Jetty is not the container that carries it. */
    static ConnectionHooks of(HttpServletRequest servletRequest, Supplier<SocketWatcher> watcher) {
        ServletRequest inner = servletRequest;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        if (!(inner instanceof ServletApiRequest)) {
            return null; // Jetty's classes are visible, but another container carries this request
        }
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(servletRequest);
        return request == null ? null : new JettyConnection(request, watcher);
    }

    @Override
    public void setHeader(HttpServletResponse response, String name, String value) {
        if (name.equalsIgnoreCase("Connection")) {
            // Jetty drops "keep-alive" on HTTP/1.1 as the default; a field without a known header
            // is written as given, and SSE clients and proxies expect to see it
            request.getServletChannel().getResponse().getHeaders().add(new HttpField((HttpHeader) null, name, value));
        } else {
            response.setHeader(name, value);
        }
    }

    @Override
    public void onClientGone(Runnable listener) {
        request.addFailureListener(failure -> listener.run()); // HTTP/2 resets and failed writes
        EndPoint endPoint = endPoint();
        SocketWatcher socketWatcher;
        if (http1() && endPoint instanceof SocketChannelEndPoint socket && (socketWatcher = watcher.get()) != null) {
            watch = socketWatcher.watch(socket.getChannel(), listener);
            if (released) {
                release();
            }
        }
    }

    @Override
    public void keepIdleAbove(Duration heartbeat) {
        if (!http1()) {
            return; // an HTTP/2 stream's idle timeout follows the connector's
        }
        EndPoint endPoint = endPoint();
        long current = endPoint.getIdleTimeout();
        long needed = HttpPolicy.streamIdleTimeoutMillis(current, heartbeat);
        if (needed != current) {
            restoreIdleTimeout = current;
            endPoint.setIdleTimeout(needed);
        }
    }

    @Override
    public boolean release() {
        released = true;
        if (restoreIdleTimeout > 0) {
            endPoint().setIdleTimeout(restoreIdleTimeout);
            restoreIdleTimeout = -1;
        }
        SocketWatcher.Watch w = watch;
        return w == null || !w.stop();
    }

    @Override
    public void closeConnection(Throwable cause) {
        ServletChannel channel = request.getServletChannel();
        if (channel.getServletContextRequest() == request) { // Jetty reuses a connection's channel
            channel.abort(cause);
        }
    }

    private boolean http1() {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        return version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
    }

    private EndPoint endPoint() {
        return request.getConnectionMetaData().getConnection().getEndPoint();
    }
}
