package dev.runnel.servlet.internal;

import jakarta.servlet.http.HttpServletResponse;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A container's {@link ConnectionHooks} that never fail a stream. A hook that throws (a container
 * version whose internals moved, a piece of it missing) is logged, at warning level the first time
 * for each container, and the call does what {@link ConnectionHooks#NONE} does instead: the stream
 * goes on and a client that leaves is noticed on the next write. A failed {@link #release} answers
 * that the connection cannot carry another request, since whatever the hook had set on it is
 * unknown.
 */
public final class GuardedHooks implements ConnectionHooks {

    private static final System.Logger LOG = System.getLogger("dev.runnel.servlet");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final String container;
    private final ConnectionHooks hooks;

    private GuardedHooks(String container, ConnectionHooks hooks) {
        this.container = container;
        this.hooks = hooks;
    }

    /** {@code hooks}, of {@code container}, guarded. */
    public static ConnectionHooks of(String container, ConnectionHooks hooks) {
        return hooks == NONE || hooks instanceof GuardedHooks ? hooks : new GuardedHooks(container, hooks);
    }

    @Override
    public void setHeader(HttpServletResponse response, String name, String value) {
        try {
            hooks.setHeader(response, name, value);
            return;
        } catch (RuntimeException | LinkageError e) {
            failed("setHeader", e);
        }
        response.setHeader(name, value);
    }

    @Override
    public void onClientGone(Runnable listener) {
        try {
            hooks.onClientGone(listener);
        } catch (RuntimeException | LinkageError e) {
            failed("onClientGone", e);
        }
    }

    @Override
    public void keepIdleAbove(Duration heartbeat) {
        try {
            hooks.keepIdleAbove(heartbeat);
        } catch (RuntimeException | LinkageError e) {
            failed("keepIdleAbove", e);
        }
    }

    @Override
    public boolean release() {
        try {
            return hooks.release();
        } catch (RuntimeException | LinkageError e) {
            failed("release", e);
            return false;
        }
    }

    @Override
    public void closeConnection(Throwable cause) {
        try {
            hooks.closeConnection(cause);
        } catch (RuntimeException | LinkageError e) {
            failed("closeConnection", e);
        }
    }

    private void failed(String hook, Throwable e) {
        if (WARNED.add(container)) {
            LOG.log(Level.WARNING, "Runnel's " + container + " hook " + hook + " failed; the stream goes on without it "
                    + "(clients that leave are noticed on the next write). Later failures are logged at debug level.", e);
        } else {
            LOG.log(Level.DEBUG, () -> "Runnel's " + container + " hook " + hook + " failed: " + e);
        }
    }
}
