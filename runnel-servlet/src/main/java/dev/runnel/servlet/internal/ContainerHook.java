package dev.runnel.servlet.internal;

import dev.runnel.transport.SocketWatcher;

import jakarta.servlet.http.HttpServletRequest;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Where one container's {@link ConnectionHooks} come from: a class of this package that links that
 * container's classes ({@link JettyConnection}, {@link TomcatConnection}) and has a static
 * {@code of(HttpServletRequest, Supplier<SocketWatcher>)} returning the hooks for a request, or
 * {@code null} when that container does not carry it.
 *
 * <p>Nothing here names such a class in code: it is loaded by name, and only after the container's
 * own class was found through this module's class loader (the one that would link it), so no class
 * of an absent container is ever resolved. A hook class that fails to load or link (part of the
 * container missing, another version) is left out with a warning; one whose {@code of} later throws
 * a {@link LinkageError} is switched off; one whose {@code of} throws anything else fails that
 * request's hooks only (the first such failure of each container is logged as a warning, the
 * rest at debug level). Either way streams get {@link ConnectionHooks#NONE}:
 * a client that leaves is noticed on the next write.
 */
final class ContainerHook {

    private static final System.Logger LOG = System.getLogger("dev.runnel.servlet");
    private static final MethodType OF = MethodType.methodType(ConnectionHooks.class, HttpServletRequest.class, Supplier.class);

    private final String container;
    private final MethodHandle of;
    private volatile boolean off;
    private final AtomicBoolean warned = new AtomicBoolean();

    private ContainerHook(String container, MethodHandle of) {
        this.container = container;
        this.of = of;
    }

    /**
     * The hook of {@code container}, when {@code containerClass} is visible to this module and
     * {@code hookClass} loads; never throws.
     */
    static Optional<ContainerHook> find(String container, String containerClass, String hookClass) {
        ClassLoader loader = ContainerHook.class.getClassLoader();
        try {
            Class.forName(containerClass, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.DEBUG, () -> container + " classes not visible (" + e + "); no " + container + " hooks");
            return Optional.empty();
        }
        try {
            Class<?> hooks = Class.forName(hookClass, true, loader); // links it: a missing piece of the container shows here
            return Optional.of(new ContainerHook(container, MethodHandles.lookup().findStatic(hooks, "of", OF)));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, container + " is on the class path, but Runnel's hooks for it do not load (" + e
                    + "); clients that leave a stream are noticed on the next write instead of at once");
            return Optional.empty();
        }
    }

    /** The container's name, for messages. */
    String container() {
        return container;
    }

    /** The hooks for {@code request}, or {@code null} when this container does not carry it or its hooks fail. */
    ConnectionHooks hooksFor(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
        if (off) {
            return null;
        }
        try {
            return (ConnectionHooks) of.invokeExact(request, watcher);
        } catch (LinkageError e) {
            off = true;
            LOG.log(Level.WARNING, "Runnel's " + container + " hooks failed (" + e + ") and are switched off; clients that "
                    + "leave a stream are noticed on the next write instead of at once");
            return null;
        } catch (RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                // a hook that always fails would otherwise be invisible: say so once, loudly
                LOG.log(Level.WARNING, "Runnel's " + container + " hooks failed for a request (" + e + "); that stream notices "
                        + "a client that leaves on its next write instead of at once. Later failures are logged at debug level", e);
            } else {
                LOG.log(Level.DEBUG, () -> "no " + container + " hooks for this request: " + e);
            }
            return null;
        } catch (Error e) {
            throw e; // out of memory and the like: not the hook's doing
        } catch (Throwable e) {
            return null; // a checked exception: "of" declares none
        }
    }
}
