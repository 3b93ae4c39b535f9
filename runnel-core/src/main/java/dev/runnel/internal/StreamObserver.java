package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.EngineMetrics.EndReason;
import dev.runnel.RequestContext;
import dev.runnel.TracePhase;
import dev.runnel.TraceSink;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to one stream, told once to everything that watches streams: the engine's
 * {@link EngineMetrics}, the JDK Flight Recorder ({@link FlightEvents}) and the {@link TraceSink}.
 * {@link StreamLifecycle} decides; this class only reports, so the three always agree (one
 * {@link EndReason} for all of them).
 *
 * <p>Called by the stream's writer thread, except {@link #disconnect} (the transport's disconnect
 * thread) and {@link #slowClientCutOff} (a publisher's thread). A trace sink or a metrics backend
 * that throws is logged and ignored: watching a stream never ends it. Work for a watcher that is absent is skipped: no route name, clock read or payload
 * is made for nothing.
 */
public final class StreamObserver {

    private static final System.Logger LOG = System.getLogger("dev.runnel.stream");
    /** A failing metrics backend is warned about once per process, then logged at debug level. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    private final long id;
    private final RequestContext context;
    private final List<String> topics;
    private final EngineMetrics metrics;
    private final TraceSink sink;
    /** The traces of the batch being written, told once it is written. */
    private final List<Trace> pending = new ArrayList<>();
    private long openedAt;
    /** When the hub subscription began: hub events published before it are replayed, not measured. */
    private long subscribedAt;
    private long eventsWritten;
    private long bytesWritten;
    /** Made only when metrics or a recording need it. */
    private volatile String route;

    StreamObserver(long id, RequestContext context, List<String> topics, EngineMetrics metrics, TraceSink sink) {
        this.id = id;
        this.context = context;
        this.topics = topics;
        this.metrics = metrics;
        this.sink = sink;
    }

    /** Counts and records a request answered with an error status instead of a stream. */
    public static void refused(EngineMetrics metrics, RequestContext request, EngineMetrics.Refusal reason) {
        if (metrics != EngineMetrics.NOOP) {
            guarded(() -> metrics.streamRefused(RouteName.of(request), reason), "streamRefused");
        }
        FlightEvents.streamRefused(request, reason);
    }

    /** The stream began; its response is about to start. */
    void opened() {
        openedAt = System.nanoTime();
        if (metrics != EngineMetrics.NOOP) {
            guarded(() -> metrics.streamOpened(route(), topics), "streamOpened");
        }
        FlightEvents.StreamOpened event = new FlightEvents.StreamOpened();
        if (event.shouldCommit()) {
            event.streamId = id;
            event.route = route();
            event.path = context.path();
            event.topics = String.join(",", topics);
            event.commit();
        }
    }

    /** The headers were sent. */
    void started(Duration heartbeat) {
        trace(TracePhase.START, Map.of("heartbeat_s", heartbeat.toMillis() / 1000.0));
    }

    /** The retry meta event was sent. */
    void retrySent(Duration retry) {
        trace(TracePhase.RETRY, Map.of("retry_ms", retry.toMillis()));
    }

    /** The source is about to start: hub events published from now on are timed to their write. */
    void subscribed() {
        if (metrics != EngineMetrics.NOOP) {
            subscribedAt = System.nanoTime();
        }
    }

    /** A heartbeat comment was written. */
    void heartbeat() {
        trace(TracePhase.HEARTBEAT, Map.of());
        guarded(metrics::heartbeat, "heartbeat");
    }

    /** A batch of values is about to be formatted and written. */
    void batchStarted() {
        pending.clear();
    }

    /** One value was formatted; told to the trace sink once its batch is written. */
    void formatted(Object value, String event, String eventId, Long retry, int lines) {
        if (sink != null) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("type", typeName(value));
            payload.put("event", event);
            payload.put("id", eventId);
            payload.put("retry", retry);
            payload.put("lines", lines);
            pending.add(new Trace(TracePhase.EVENT, payload));
        }
    }

    /** Formatting one value failed; an error event goes in its place. */
    void renderError(Object value, Throwable failure) {
        guarded(metrics::renderError, "renderError");
        if (sink != null) {
            pending.add(new Trace(TracePhase.RENDER_ERROR, Map.of("type", typeName(value), "error", describe(failure))));
        }
    }

    /** The values {@code batch[from, to)}, {@code bytes} long together, reached the transport. */
    void written(List<Object> batch, int from, int to, int bytes) {
        eventsWritten += to - from;
        bytesWritten += bytes;
        if (metrics != EngineMetrics.NOOP) {
            guarded(() -> {
                metrics.eventsWritten(to - from, bytes);
                long now = System.nanoTime();
                for (int i = from; i < to; i++) {
                    if (batch.get(i) instanceof HubEvent e && e.publishedNanos() - subscribedAt >= 0) {
                        metrics.publishToWrite(now - e.publishedNanos());
                    }
                }
            }, "eventsWritten");
        }
    }

    /** The whole batch was written: its traces are told. */
    void batchWritten() {
        for (Trace t : pending) {
            trace(t.phase(), t.payload());
        }
        pending.clear();
    }

    /** A write to the client failed. */
    void sendFailed(Throwable failure) {
        trace(TracePhase.SEND_FAILED, Map.of("error", describe(failure)));
    }

    /** The disconnect monitor saw the client leave. */
    void disconnect() {
        trace(TracePhase.DISCONNECT, Map.of());
    }

    /** The client fell too far behind a hub topic and is being cut off. */
    void slowClientCutOff(int queuedEvents, long queuedBytes) {
        FlightEvents.SlowClientCutOff event = new FlightEvents.SlowClientCutOff();
        if (event.shouldCommit()) {
            event.streamId = id;
            event.route = route();
            event.queuedEvents = queuedEvents;
            event.queuedBytes = queuedBytes;
            event.commit();
        }
    }

    /** The source was cancelled, for {@code reason}. */
    void cancelled(EndReason reason) {
        trace(TracePhase.CANCELLED, Map.of("reason", reason.tag()));
    }

    /** The producer ended with a client-disconnect error. */
    void clientDisconnect(Throwable failure) {
        trace(TracePhase.CLIENT_DISCONNECT, Map.of("error", describe(failure)));
    }

    /**
     * The stream failed; an error event is sent. {@code producerFailed} tells a producer's failure
     * (counted) from Runnel's own (logged where it happened).
     */
    void failed(Throwable failure, boolean producerFailed) {
        if (producerFailed) {
            guarded(metrics::producerError, "producerError");
        }
        trace(TracePhase.PRODUCER_ERROR, Map.of("error", describe(failure)));
    }

    /** The close event was sent. */
    void closeEventSent(String event) {
        trace(TracePhase.CLOSE_EVENT, Map.of("event", event));
    }

    /** The response is complete: the one report of the end, to every watcher. */
    void ended(EndReason reason) {
        trace(TracePhase.CLOSED, Map.of("reason", reason.tag(), "events", eventsWritten));
        long duration = System.nanoTime() - openedAt;
        if (metrics != EngineMetrics.NOOP) {
            guarded(() -> metrics.streamEnded(route(), topics, reason, duration, eventsWritten, bytesWritten), "streamEnded");
        }
        FlightEvents.StreamClosed event = new FlightEvents.StreamClosed();
        if (event.shouldCommit()) {
            event.streamId = id;
            event.route = route();
            event.reason = reason.tag();
            event.streamDuration = duration;
            event.events = eventsWritten;
            event.bytes = bytesWritten;
            event.commit();
        }
    }

    /** The route this stream's request matched ({@code /sse/topic/{name}}), made on first use. */
    private String route() {
        String r = route;
        if (r == null) {
            r = RouteName.of(context);
            route = r;
        }
        return r;
    }

    private void trace(TracePhase phase, Map<String, Object> payload) {
        if (sink == null) {
            return;
        }
        try {
            sink.trace(id, phase, payload);
        } catch (Throwable e) {
            rethrowFatal(e);
            QuietLog.log(LOG, Level.WARNING, "trace sink failed on " + phase.wireName(), e);
        }
    }

    /**
     * Runs a call into the application's {@link EngineMetrics}: whatever it throws is logged and the
     * stream goes on (a metrics backend must never end or corrupt a stream), except a
     * {@link VirtualMachineError} other than a stack overflow, which nothing can contain.
     */
    static void guarded(Runnable call, String what) {
        try {
            call.run();
        } catch (Throwable e) {
            rethrowFatal(e);
            if (WARNED.compareAndSet(false, true)) {
                QuietLog.log(LOG, Level.WARNING, "the engine's metrics failed in " + what + "; the stream goes on (logged once)", e);
            } else {
                LOG.log(Level.DEBUG, () -> "the engine's metrics failed in " + what + ": " + e);
            }
        }
    }

    private static void rethrowFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    private record Trace(TracePhase phase, Map<String, Object> payload) {
    }

    static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }

    static String describe(Throwable t) {
        return t == null ? "" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
