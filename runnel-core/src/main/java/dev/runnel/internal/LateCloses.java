package dev.runnel.internal;

import dev.runnel.RequestContext;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The {@code closeStreams} calls that a stream still being opened may have missed: a call that
 * looked at the open streams while the stream's handler ran found no registered stream to end.
 * The engine records each call here ({@link #closing}) before it looks at the open streams and marks
 * it done ({@link #closed}) after; a stream asks here ({@link #registered}) after it is registered.
 * An admission considers every call that was not done when it began and every call made after, so a
 * stream is either seen by the call or sees the call. A call is kept while it is not done or an
 * admission that considers it is in flight. Thread-safe; the lock covers bookkeeping only, never a
 * predicate.
 */
public final class LateCloses {

    private static final System.Logger LOG = System.getLogger("dev.runnel.engine");

    /** One {@code closeStreams} call. */
    public static final class Call {
        private final long number;
        private final Predicate<RequestContext> which;
        private boolean done; // guarded by the lock

        private Call(long number, Predicate<RequestContext> which) {
            this.number = number;
            this.which = which;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private long calls; // guarded by the lock
    /** Admissions in flight, by token: the first call number each of them considers. */
    private final Map<Object, Long> admitting = new IdentityHashMap<>();
    private final List<Call> recent = new ArrayList<>();

    /** An admission begins (before the handler runs); pass the token to {@link #registered} or {@link #abandoned}. */
    public Object admitting() {
        Object token = new Object();
        lock.lock();
        try {
            long from = calls + 1;
            for (Call call : recent) {
                if (!call.done) {
                    from = Math.min(from, call.number);
                }
            }
            admitting.put(token, from);
        } finally {
            lock.unlock();
        }
        return token;
    }

    /** A {@code closeStreams} call begins, before it looks at the open streams; pass the result to {@link #closed}. */
    public Call closing(Predicate<RequestContext> which) {
        lock.lock();
        try {
            Call call = new Call(++calls, which);
            recent.add(call);
            return call;
        } finally {
            lock.unlock();
        }
    }

    /** The call has looked at every open stream. */
    public void closed(Call call) {
        lock.lock();
        try {
            call.done = true;
            prune();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The admission's stream is registered as open: whether a call it considers matches its request
     * (the stream must then end). A predicate that throws counts as no match and is logged.
     */
    public boolean registered(Object token, RequestContext request) {
        List<Call> considered = new ArrayList<>();
        lock.lock();
        try {
            Long from = admitting.remove(token);
            if (from != null) {
                for (Call call : recent) {
                    if (call.number >= from) {
                        considered.add(call);
                    }
                }
            }
            prune();
        } finally {
            lock.unlock();
        }
        for (Call call : considered) {
            try {
                if (call.which.test(request)) {
                    return true;
                }
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.WARNING, "closeStreams: a predicate failed on " + request.path(), e);
            }
        }
        return false;
    }

    /** The admission ended without a stream (refused, or the handler failed). */
    public void abandoned(Object token) {
        lock.lock();
        try {
            if (admitting.remove(token) != null) {
                prune();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Calls kept now; for tests. */
    int kept() {
        lock.lock();
        try {
            return recent.size();
        } finally {
            lock.unlock();
        }
    }

    private void prune() {
        long oldest = Long.MAX_VALUE;
        for (long from : admitting.values()) {
            oldest = Math.min(oldest, from);
        }
        long keepFrom = oldest;
        recent.removeIf(call -> call.done && call.number < keepFrom);
    }
}
