package dev.runnel.servlet.internal;

import dev.runnel.transport.SocketWatcher;
import org.apache.catalina.connector.RequestFacade;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.ActionCode;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

/**
 * {@link ConnectionHooks} for Tomcat 11 (NIO connector, HTTP/1.1; tested with 11.0.22 and 11.0.27).
 *
 * <p>Tomcat does not read from an HTTP/1.1 connection while an async response streams (its
 * {@code longPoll} registers no read interest for an async processor), so a client that closes the
 * connection is noticed only when a write fails, and since the first write after a FIN still
 * succeeds, up to two heartbeats later. The Servlet API offers nothing better, and Tomcat's public
 * API does not reach the socket. This class reaches it through three long-standing fields
 * ({@code RequestFacade.request}, {@code org.apache.coyote.Request.hook},
 * {@code AbstractProcessor.socketWrapper}) and watches it with a {@link SocketWatcher}, as the Jetty
 * hooks do. The fields are looked up once; if any is missing or inaccessible (another Tomcat
 * version, a named module), a message is logged once and streams fall back to detection on write.
 *
 * <p>Aborting uses Tomcat's public {@code CLOSE_NOW} action, so the client sees the connection
 * close instead of a clean end. No code names this class: {@link ContainerHook} loads it by name,
 * and only after finding Tomcat's classes. Keep {@link #of} as it is: it is looked up by name and type.
 */
final class TomcatConnection implements ConnectionHooks {

    private static final System.Logger LOG = System.getLogger("dev.runnel.servlet");
    private static final Internals INTERNALS = Internals.find();

    private final org.apache.coyote.Request coyote;
    private final String requestId;
    private final SocketChannel channel;
    private final Supplier<SocketWatcher> watcher;
    private volatile SocketWatcher.Watch watch;
    private volatile boolean released;

    private TomcatConnection(org.apache.coyote.Request coyote, SocketChannel channel, Supplier<SocketWatcher> watcher) {
        this.coyote = coyote;
        this.requestId = coyote.getRequestId();
        this.channel = channel;
        this.watcher = watcher;
    }

    /** Hooks for {@code request}, or {@code null} when Tomcat does not carry it or its internals are out of reach. */
    static ConnectionHooks of(HttpServletRequest servletRequest, Supplier<SocketWatcher> watcher) {
        ServletRequest inner = servletRequest;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        if (!(inner instanceof RequestFacade facade) || INTERNALS == null) {
            return null;
        }
        try {
            var catalina = (org.apache.catalina.connector.Request) INTERNALS.facadeRequest.invoke(facade);
            org.apache.coyote.Request coyote = catalina.getCoyoteRequest();
            Object hook = INTERNALS.coyoteHook.invoke(coyote);
            if (!(hook instanceof Http11Processor processor)) {
                return null; // HTTP/2 and AJP: the socket carries more than this stream
            }
            Object socket = ((SocketWrapperBase<?>) INTERNALS.processorSocket.invoke((AbstractProcessor) processor)).getSocket();
            SocketChannel channel = socket instanceof NioChannel nio ? nio.getIOChannel() : null;
            return channel == null ? null : new TomcatConnection(coyote, channel, watcher);
        } catch (Throwable e) {
            LOG.log(Level.DEBUG, () -> "could not reach the Tomcat connection of " + servletRequest.getRequestURI() + ": " + e);
            return null;
        }
    }

    @Override
    public void onClientGone(Runnable listener) {
        SocketWatcher socketWatcher = watcher.get();
        if (socketWatcher != null) {
            watch = socketWatcher.watch(channel, listener);
            if (released) {
                release();
            }
        }
    }

    @Override
    public boolean release() {
        released = true;
        SocketWatcher.Watch w = watch;
        return w == null || !w.stop();
    }

    @Override
    public void closeConnection(Throwable cause) {
        if (requestId.equals(coyote.getRequestId())) { // Tomcat recycles request objects
            coyote.action(ActionCode.CLOSE_NOW, cause);
        }
    }

    /** Getters for the three non-public fields, or none at all. */
    private record Internals(MethodHandle facadeRequest, MethodHandle coyoteHook, MethodHandle processorSocket) {
        static Internals find() {
            try {
                return new Internals(
                        getter(RequestFacade.class, "request"),
                        getter(org.apache.coyote.Request.class, "hook"),
                        getter(AbstractProcessor.class, "socketWrapper"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.INFO, "Tomcat's connection is out of reach (" + e + "); clients that leave a stream "
                        + "are noticed on the next write (a heartbeat at the latest) instead of at once");
                return null;
            }
        }

        private static MethodHandle getter(Class<?> owner, String name) throws ReflectiveOperationException {
            Field field = owner.getDeclaredField(name);
            field.setAccessible(true);
            return MethodHandles.lookup().unreflectGetter(field);
        }
    }
}
