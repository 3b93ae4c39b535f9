package dev.runnel.servlet.internal;

import dev.runnel.transport.SocketWatcher;
import jakarta.servlet.http.HttpServletRequest;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

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
 * Neither container is needed at run time: each one's hook class is loaded by name, and only when
 * that container's classes are visible (see {@link ContainerHook}). The hooks returned never fail a
 * stream (see {@link GuardedHooks}).
 */
public final class ContainerSupport {

    private static final String PACKAGE = ContainerSupport.class.getPackageName();
    private static final List<ContainerHook> HOOKS = Stream.of(
                    ContainerHook.find("Jetty EE10", "org.eclipse.jetty.ee10.servlet.ServletContextRequest",
                            PACKAGE + ".JettyConnection"),
                    ContainerHook.find("Tomcat", "org.apache.catalina.connector.RequestFacade",
                            PACKAGE + ".TomcatConnection"))
            .flatMap(Optional::stream)
            .toList();

    private ContainerSupport() {
    }

    /** The hooks for {@code request}; {@code watcher} is asked for a socket watcher only when one is needed. */
    public static ConnectionHooks hooksFor(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
        for (ContainerHook hook : HOOKS) {
            ConnectionHooks hooks = hook.hooksFor(request, watcher);
            if (hooks != null) {
                return GuardedHooks.of(hook.container(), hooks);
            }
        }
        return ConnectionHooks.NONE;
    }
}
