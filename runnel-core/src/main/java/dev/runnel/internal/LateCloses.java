package dev.runnel.internal;

import dev.runnel.RequestContext;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The {@code closeStreams} calls that a stream still being opened may have missed: a call that ran
 * while the stream's handler ran found no registered stream to end. The engine records each call
 * here before it looks at the open streams, and a stream checks here after it is registered, so a
 * stream is either seen by the call or sees the call. A call is kept only while an admission that
 * began before it is still in flight. Thread-safe.
 */
public final class LateCloses {

    private static final System.Logger LOG = System.getLogger("dev.runnel.engine");
    private static final long NOT_READ = Long.MIN_VALUE;

    private record Call(long number, Predicate<RequestContext> which) {
    }

    private final AtomicLong calls = new AtomicLong();
    /** Admissions in flight, by token: the number of calls made before the admission began. */
    private final Map<Object, Long> admitting = new ConcurrentHashMap<>();
    private final Queue<Call> recent = new ConcurrentLinkedQueue<>();

    /** An admission begins (before the handler runs); pass the token to {@link #registered} or {@link #abandoned}. */
    public Object admitting() {
        Object token = new Object();
        admitting.put(token, NOT_READ); // first in the map, so a concurrent prune keeps what this admission may need
        admitting.put(token, calls.get());
        return token;
    }

    /** A {@code closeStreams} call begins, before it looks at the open streams. */
    public void closing(Predicate<RequestContext> which) {
        recent.add(new Call(calls.incrementAndGet(), which));
        prune();
    }

    /**
     * The admission's stream is registered as open: whether a call made since the admission began
     * matches its request (the stream must then end).
     */
    public boolean registered(Object token, RequestContext request) {
        Long began = admitting.remove(token);
        boolean closed = false;
        if (began != null) {
            for (Call call : recent) {
                try {
                    if (call.number() > began && call.which().test(request)) {
                        closed = true;
                        break;
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "closeStreams: a predicate failed on " + request.path(), e);
                }
            }
        }
        prune();
        return closed;
    }

    /** The admission ended without a stream (refused, or the handler failed). */
    public void abandoned(Object token) {
        if (admitting.remove(token) != null) {
            prune();
        }
    }

    /** Calls kept now; for tests. */
    int kept() {
        return recent.size();
    }

    private void prune() {
        long oldest = Long.MAX_VALUE;
        for (long began : admitting.values()) {
            oldest = Math.min(oldest, began);
        }
        long keepAfter = oldest;
        recent.removeIf(call -> call.number() <= keepAfter);
    }
}
