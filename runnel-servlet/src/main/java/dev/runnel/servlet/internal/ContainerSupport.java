package dev.runnel.servlet.internal;

import dev.runnel.transport.SocketWatcher;
import jakarta.servlet.http.HttpServletRequest;

import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * Picks the {@link ConnectionHooks} for a request's container.
 *
 * <ul>
 *   <li>Jetty 12 EE10: {@link JettyConnection}, when Jetty's classes are visible to this module
 *       (embedded Jetty; a WAR inside a standalone Jetty hides them, and gets the portable hooks).</li>
 *   <li>Tomcat 11 (NIO connector, HTTP/1.1): {@link TomcatConnection}.</li>
 *   <li>Any other container: {@link ConnectionHooks#NONE}: a client that leaves is noticed when a
 *       write fails or the container reports an error through {@code AsyncListener.onError}.</li>
 * </ul>
 *
 * Each container's class is linked only after a guarded probe found that container's classes, so
 * neither is needed at run time.
 */
public final class ContainerSupport {

    private static final System.Logger LOG = System.getLogger("dev.runnel.servlet");
    private static final boolean JETTY = present("Jetty EE10", JettyConnection::probe);
    private static final boolean TOMCAT = present("Tomcat", TomcatConnection::probe);

    private ContainerSupport() {
    }

    /** The hooks for {@code request}; {@code watcher} is asked for a socket watcher only when one is needed. */
    public static ConnectionHooks hooksFor(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
        ConnectionHooks hooks = null;
        if (JETTY) {
            hooks = JettyConnection.of(request, watcher);
        }
        if (hooks == null && TOMCAT) {
            hooks = TomcatConnection.of(request, watcher);
        }
        return hooks != null ? hooks : ConnectionHooks.NONE;
    }

    private static boolean present(String container, Runnable probe) {
        try {
            probe.run();
            return true;
        } catch (LinkageError e) {
            LOG.log(Level.DEBUG, () -> container + " classes not visible; no " + container + " hooks");
            return false;
        }
    }
}
