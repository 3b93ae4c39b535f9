package dev.runnel.internal;

import dev.runnel.EngineMetrics.EndReason;
import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEncoder;
import dev.runnel.SseEvent;
import dev.runnel.StreamOptions;
import dev.runnel.transport.SseTransport;
import dev.runnel.transport.WriteTimeoutException;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The life of one SSE response (spec section 3), written once for every transport.
 *
 * <p>{@link #run()} is the writer: it runs on the calling thread, sends the headers and the retry
 * meta event, then takes values from the {@link Pump} (which runs the application's source on a
 * thread of its own), formats and writes them, and writes a heartbeat whenever the stream has been
 * silent for the heartbeat interval. The transport's disconnect signal and the engine's shutdown
 * call {@link #cancel}, which wakes the writer and interrupts the producer at once. What happens is
 * told to a {@link StreamObserver}, which feeds the metrics, the flight recorder and the trace sink.
 *
 * <p>A hub subscription is attached before the headers go out: an event published once the client
 * can have seen the {@code 200} is queued, and written after the headers, the retry event and the
 * replay, in order.
 */
public final class StreamLifecycle {

    private static final Duration CENTURY = Duration.ofDays(36_500);
    private static final System.Logger LOG = System.getLogger("dev.runnel.stream");

    static {
        // The end path must not need the class loader: a process out of file descriptors cannot open a
        // class file, and a stream whose end fails to load a class never gives its socket back.
        EndReason.values();
    }
    private static final byte[] HEARTBEAT = SseEncoder.heartbeat();

    private final long id;
    private final SseTransport transport;
    private final RequestContext context;
    private final EventStream stream;
    private final StreamOptions options;
    private final LifecycleSettings settings;
    private final ValueChannel channel;
    private final dev.runnel.Dialect dialect;
    private final AtomicReference<EndReason> cancelReason = new AtomicReference<>();
    final StreamObserver observer;
    private volatile Pump pump;
    /** Set when the stream was handed to a write loop: it writes without a thread of its own. */
    private volatile NonBlockingWriter writer;
    /** Told once a handed-off stream has ended. */
    private Runnable afterEnd;
    /** The first failed write, to tell a write timeout from a client that left. */
    private IOException sendFailure;
    /** Set when the source's failure was the client leaving. */
    private boolean producerSawDisconnect;
    /** Set once the head was sent: before it, the response takes no body and can only be aborted. */
    private volatile boolean headSent;

    public StreamLifecycle(long id, SseTransport transport, RequestContext context, EventStream stream,
                           LifecycleSettings settings) {
        this.id = id;
        this.context = context;
        this.stream = stream;
        this.options = stream.options();
        // the one place a stream's content coding is applied, so every server adapter gets it
        this.transport = CompressingTransport.wrap(transport, options.compression(), context);
        this.settings = settings;
        this.channel = Pump.channelFor(stream);
        this.dialect = options.dialect() != null ? options.dialect() : dev.runnel.Dialect.detect(context);
        List<String> topics = stream instanceof EventStream.Subscribed s ? s.topics() : List.of();
        this.observer = new StreamObserver(id, context, topics, settings.metrics(), settings.trace());
    }

    /** The request this stream answers. */
    public RequestContext context() {
        return context;
    }

    public long id() {
        return id;
    }

    /** Values waiting in this stream's outbound queue. */
    public int queuedEvents() {
        return channel.size();
    }

    /** Bytes waiting in this stream's outbound queue; counted for hub subscriptions only. */
    public long queuedBytes() {
        return channel.queuedBytes();
    }

    /** True while the application's producer thread is running. */
    public boolean producerAlive() {
        Pump p = pump;
        return p != null && p.isAlive();
    }

    /**
     * Ends the stream from outside: the producer is interrupted and the writer stops after its
     * current write. Only the first reason counts.
     */
    public void cancel(EndReason reason) {
        if (cancelReason.compareAndSet(null, reason)) {
            Pump p = pump;
            if (p != null) {
                p.cancel();
            } else {
                channel.cancel();
            }
        }
    }

    /**
     * Cuts off a client that fell behind: the writer stops, and the connection is aborted at once
     * from a thread of its own, since the writer may be blocked on that very client.
     */
    private void cutOffSlowClient() {
        if (cancelReason.get() == null) {
            LOG.log(Level.INFO, "stream " + id + " on " + context.path() + ": client too slow, queue full; cutting it off");
            observer.slowClientCutOff(channel.size(), channel.queuedBytes());
        }
        cancel(EndReason.SLOW_CLIENT);
        Thread.ofVirtual().name("runnel-cutoff-" + id).start(() -> transport.abort(new IOException("slow client cut off")));
    }

    /** Aborts the response itself, for a writer stuck on a client that does not read. */
    public void abort(Throwable cause) {
        cancel(EndReason.SHUTDOWN);
        try {
            transport.abort(cause);
        } finally {
            NonBlockingWriter w = writer;
            if (w != null) {
                w.aborted(); // a write the aborted transport never completes must not hold the stream
            }
        }
    }

    /**
     * Serves the stream. Returns false once it has ended, on this thread. Returns true when it was
     * handed to the engine's write loops (a hub subscription on a transport that writes without
     * blocking): it then goes on without this thread, and {@code afterEnd} runs once, on a thread of
     * its own, after its end was reported. Never throws.
     */
    public boolean run(Runnable afterEnd) {
        EndReason reason;
        Throwable internal = null;
        try {
            observer.opened();
            reason = serve(afterEnd);
            if (reason == null) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = cancelled(EndReason.SHUTDOWN);
        } catch (Throwable e) { // also a checked exception a transport threw undeclared: the end below is owed
            LOG.log(Level.ERROR, "stream " + id + " failed inside Runnel", e);
            internal = e;
            reason = cancelled(EndReason.FAILED);
        }
        try {
            finish(reason, internal);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "stream " + id + ": ending it failed", e);
        }
        return false;
    }

    /**
     * Ends a handed-off stream, on a virtual thread of its own: the end leaves the hub (its lock may
     * be held through a long fan-out) and tells the application, neither of which may hold up a write
     * loop or a server thread. Called once, by the stream's {@link NonBlockingWriter}.
     */
    void endHandedOff(EndReason reason, Throwable internal) {
        Runnable end = () -> {
            try {
                finish(reason, internal);
            } catch (Throwable e) {
                QuietLog.log(LOG, Level.ERROR, "stream " + id + ": ending it failed", e);
            } finally {
                Runnable after = afterEnd;
                if (after != null) {
                    try {
                        after.run();
                    } catch (Throwable e) {
                        QuietLog.log(LOG, Level.ERROR, "stream " + id + ": the engine's bookkeeping of its end failed", e);
                    }
                }
            }
        };
        try {
            Thread.ofVirtual().name("runnel-end-" + id).start(end);
        } catch (Throwable e) {
            end.run(); // no thread to be had: end it here rather than never
        }
    }

    /** Returns {@code null} when the stream was handed to a write loop. */
    private EndReason serve(Runnable afterEnd) throws InterruptedException {
        transport.keepIdleAbove(options.heartbeat());
        Pump started = null;
        Throwable attachFailure = null;
        if (stream instanceof EventStream.Subscribed) {
            // attached before the head: once the client can see the 200, every event published is queued
            started = newPump();
            attachFailure = attach(started);
        }
        try {
            transport.start(200, headers());
        } catch (IOException e) {
            sendFailure = e;
            observer.sendFailed(e);
            return cancelled(EndReason.SEND_FAILED);
        }
        headSent = true;
        observer.started(options.heartbeat());
        transport.onDisconnect(this::clientGone);

        Duration retry = options.retry() != null ? options.retry() : settings.retry();
        if (retry != null && options.retryEvent()) {
            SseEvent meta = new SseEvent("runnel:meta", null, retry.toMillis(), "retry");
            if (!write(ByteBuffer.wrap(meta.encode()))) {
                return cancelled(EndReason.SEND_FAILED);
            }
            observer.retrySent(retry);
        }
        if (attachFailure != null) {
            throw unchecked(attachFailure); // Runnel's own failure, told to the client now that it has a response
        }

        if (started == null) {
            started = newPump();
            pump = started;
            observer.subscribed();
        }
        if (cancelReason.get() != null) {
            channel.cancel(); // cancelled before the source started
            return pumpValues(started);
        }
        if (stream instanceof EventStream.Subscribed) {
            // events queued while the head and the retry event were written go first, after the replay
            if (settings.loops() != null && transport.writesAsync()) {
                handOff(afterEnd);
                return null;
            }
            return pumpValues(started);
        }
        started.start();
        return pumpValues(started);
    }

    private Pump newPump() {
        return Pump.of(stream, channel, context, "runnel-producer-" + id, this::cutOffSlowClient);
    }

    /**
     * Makes a hub subscription's subscriber receive its replay and every new event, unless the stream
     * was cancelled already. Returns what that threw, to be told once the response has started; the
     * end detaches it in any case, since {@link #pump} is set.
     */
    private Throwable attach(Pump subscription) {
        pump = subscription;
        observer.subscribed();
        if (cancelReason.get() != null) {
            return null;
        }
        try {
            subscription.start();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /**
     * Hands the stream to a write loop: from here on its writes are started by the loop and finished
     * by the transport's callbacks, and this thread is free. The subscription was attached before the
     * head: its replay, then what was published since, wait in the queue and are written first.
     */
    private void handOff(Runnable afterEnd) {
        this.afterEnd = afterEnd;
        NonBlockingWriter w = new NonBlockingWriter(this, transport, channel, settings.loops().forStream(id), settings.clock(),
                options.heartbeat().toNanos(), endAt(System.nanoTime()));
        writer = w;
        channel.listen(w::kick);
        w.kick(); // the first turn takes what is queued and arms the heartbeat, also when nothing is
    }

    /** When the stream must end by its age or its end time ({@link System#nanoTime()} time), counted from {@code now}. */
    private long endAt(long now) {
        long endAt = settings.maxStreamAge() == null ? Long.MAX_VALUE
                : now + (long) (settings.maxStreamAge().toNanos() * (0.9 + 0.1 * java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
        if (options.endAt() != null) {
            // the wall clock says when, the monotonic clock counts down to it; a century is as good as never
            Duration left = Duration.between(java.time.Instant.now(), options.endAt());
            long leftNanos = left.isNegative() ? 0 : left.compareTo(CENTURY) > 0 ? CENTURY.toNanos() : left.toNanos();
            long deadline = now + leftNanos;
            endAt = settings.maxStreamAge() == null || deadline - endAt < 0 ? deadline : endAt;
        }
        return endAt;
    }

    private EndReason pumpValues(Pump source) throws InterruptedException {
        long heartbeatNanos = options.heartbeat().toNanos();
        long lastWrite = System.nanoTime();
        long endAt = endAt(lastWrite);
        // default capacity: most batches are a value or two, and an idle stream should not hold room for 64
        List<Object> batch = new ArrayList<>();
        List<byte[]> encoded = new ArrayList<>();
        try (DueClock.Entry clock = settings.clock().watch(channel)) {
            while (true) {
                long now = System.nanoTime();
                if (now - endAt >= 0) {
                    return cancelled(EndReason.MAX_AGE);
                }
                long wait = Math.min(lastWrite + heartbeatNanos - now, endAt - now);
                ValueChannel.Signal signal;
                if (wait <= 0) {
                    signal = channel.poll(batch, ServeDefaults.MAX_BATCH_VALUES, 0);
                } else {
                    clock.dueAt(now + wait); // the engine's clock wakes this writer then, unless a value does first
                    signal = channel.pollUntilDue(batch, ServeDefaults.MAX_BATCH_VALUES);
                }
                switch (signal) {
                    case TIMEOUT -> {
                        if (System.nanoTime() - endAt >= 0) {
                            continue; // the age ran out, not the heartbeat
                        }
                        if (!write(ByteBuffer.wrap(HEARTBEAT))) {
                            return cancelled(EndReason.SEND_FAILED);
                        }
                        observer.heartbeat();
                        lastWrite = System.nanoTime();
                    }
                    case ITEMS -> {
                        source.taken(batch.size());
                        if (!writeBatch(batch, encoded)) {
                            return cancelled(EndReason.SEND_FAILED);
                        }
                        batch.clear();
                        encoded.clear();
                        lastWrite = System.nanoTime();
                    }
                    case FINISHED -> {
                        return channel.failure() == null ? EndReason.COMPLETED : EndReason.FAILED;
                    }
                    case CANCELLED -> {
                        return cancelled(EndReason.SHUTDOWN);
                    }
                }
            }
        }
    }

    /** Formats every value (one failure costs one error event, not the stream) and writes them together. */
    private boolean writeBatch(List<Object> batch, List<byte[]> encoded) {
        encode(batch, encoded);
        int start = 0;
        while (start < encoded.size()) {
            int end = chunkEnd(encoded, start);
            int bytes = bytes(encoded, start, end);
            if (!write(join(encoded, start, end, bytes))) {
                return false;
            }
            observer.written(batch, start, end, bytes);
            start = end;
        }
        observer.batchWritten();
        return true;
    }

    /** Where the write that starts at {@code encoded[start]} ends: at most {@link ServeDefaults#MAX_BATCH_BYTES}, unless one event is larger. */
    static int chunkEnd(List<byte[]> encoded, int start) {
        int end = start;
        int bytes = 0;
        while (end < encoded.size() && (end == start || bytes + encoded.get(end).length <= ServeDefaults.MAX_BATCH_BYTES)) {
            bytes += encoded.get(end).length;
            end++;
        }
        return end;
    }

    static int bytes(List<byte[]> encoded, int from, int to) {
        int bytes = 0;
        for (int i = from; i < to; i++) {
            bytes += encoded.get(i).length;
        }
        return bytes;
    }

    /** Formats every value into {@code encoded}, in order; one that fails becomes an error event. */
    void encode(List<Object> batch, List<byte[]> encoded) {
        observer.batchStarted();
        for (Object value : batch) {
            if (value instanceof Encoded ready) {
                byte[] bytes;
                try {
                    bytes = ready.bytes(dialect);
                } catch (RuntimeException e) {
                    // an event this dialect cannot carry costs this subscriber one error event, not its stream
                    LOG.log(Level.WARNING, "stream " + id + ": encoding event " + ready.id() + " for " + dialect + " failed", e);
                    observer.renderError(value, e);
                    encoded.add(ErrorEvents.renderError(value, e, settings.debug(), dialect).encode());
                    continue;
                }
                encoded.add(bytes);
                observer.formatted(value, ready.event(), ready.id(), null, ready.lines());
                continue;
            }
            SseEvent event;
            try {
                event = settings.formatter().format(value, options.defaultEvent(), dialect);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stream " + id + ": rendering a " + StreamObserver.typeName(value) + " failed", e);
                observer.renderError(value, e);
                event = ErrorEvents.renderError(value, e, settings.debug(), dialect);
            }
            encoded.add(event.encode());
            observer.formatted(value, event.event(), event.id(), event.retry(), event.dataLineCount());
        }
    }

    static ByteBuffer join(List<byte[]> parts, int from, int to, int size) {
        if (to - from == 1) {
            return ByteBuffer.wrap(parts.get(from));
        }
        byte[] all = new byte[size];
        int p = 0;
        for (int i = from; i < to; i++) {
            byte[] part = parts.get(i);
            System.arraycopy(part, 0, all, p, part.length);
            p += part.length;
        }
        return ByteBuffer.wrap(all);
    }

    /**
     * Releases the source, sends what the end calls for, completes the response and reports the end:
     * each exactly once, whatever throws on the way. {@code internal} is Runnel's own failure, if any.
     */
    private EndReason finish(EndReason reason, Throwable internal) {
        boolean clientGone = !headSent || reason == EndReason.CLIENT_CLOSED || reason == EndReason.SEND_FAILED
                || reason == EndReason.WRITE_TIMEOUT || reason == EndReason.SLOW_CLIENT;
        try {
            clientGone = release(reason, internal, clientGone);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "stream " + id + ": releasing its source failed", e);
        }
        try {
            if (clientGone) {
                transport.abort(new IOException("client gone"));
            } else {
                transport.complete();
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "stream " + id + ": completing the response failed", e);
        }
        EndReason told = told(reason);
        try {
            observer.ended(told);
        } finally {
            // the end actions (a Mercure subscription's unlisting) run even when a watcher threw an Error
            if (stream instanceof dev.runnel.EventStream.Subscribed subscribed) {
                subscribed.subscription().ended();
            }
        }
        return told;
    }

    /**
     * The end as it is reported: a producer that failed because the client left is the client
     * closing, and a timed-out write is a write timeout, whether it showed as a failed write or as
     * the client leaving (aborting the response may be reported as either).
     */
    private EndReason told(EndReason reason) {
        if (reason == EndReason.FAILED && producerSawDisconnect) {
            return EndReason.CLIENT_CLOSED;
        }
        if ((reason == EndReason.CLIENT_CLOSED || reason == EndReason.SEND_FAILED) && sendFailure instanceof WriteTimeoutException) {
            return EndReason.WRITE_TIMEOUT;
        }
        return reason;
    }

    /**
     * Cancels the source (a hub subscription leaves its topics, also after a failure), then writes the
     * error and close events the end calls for. Returns whether the client is gone.
     */
    private boolean release(EndReason reason, Throwable internal, boolean clientGone) {
        Pump source = pump;
        if (source != null) {
            // owed unless the source ended by itself: after Runnel's own failure a producer may still run,
            // and a hub subscription (which never ends by itself) still holds its place in the hub
            boolean endedByItself = reason == EndReason.COMPLETED || (reason == EndReason.FAILED && channel.failure() != null);
            if (!endedByItself) {
                source.cancel();
            }
            if (reason != EndReason.COMPLETED && reason != EndReason.FAILED) {
                observer.cancelled(reason);
            }
            awaitSource(source);
        }
        if (reason == EndReason.FAILED) {
            // without a producer failure the failure was Runnel's own, logged where it happened
            boolean producerFailed = channel.failure() != null;
            Throwable failure = producerFailed ? channel.failure() : internal;
            if (producerFailed && Disconnects.isClientDisconnect(failure)) {
                LOG.log(Level.DEBUG, () -> "stream " + id + ": producer ended with a client disconnect: " + describe(failure));
                observer.clientDisconnect(failure);
                clientGone = true;
                producerSawDisconnect = true;
            } else {
                if (producerFailed) {
                    LOG.log(Level.ERROR, "stream " + id + ": producer failed on " + context.path(), failure);
                }
                observer.failed(failure, producerFailed);
                if (!clientGone && !write(ByteBuffer.wrap(ErrorEvents.producerError(failure, settings.debug()).encode()))) {
                    clientGone = true;
                }
            }
        }
        boolean ended = reason == EndReason.COMPLETED || reason == EndReason.FAILED;
        if (ended && !clientGone && settings.closeEvent() != null) {
            // a failure here is swallowed: the stream is over either way
            if (write(ByteBuffer.wrap(SseEvent.of(settings.closeEvent(), "complete").encode()))) {
                observer.closeEventSent(settings.closeEvent());
            }
        }
        return clientGone;
    }

    private void awaitSource(Pump source) {
        try {
            if (!source.await(settings.grace())) {
                LOG.log(Level.WARNING, "stream " + id + ": producer on " + context.path() + " ignored cancellation for "
                        + settings.grace().toMillis() + " ms; abandoning it (its thread is still running)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void clientGone() {
        observer.disconnect();
        cancel(EndReason.CLIENT_CLOSED);
    }

    /** The reason the stream was cancelled with, or {@code fallback} when nobody cancelled it. */
    EndReason cancelled(EndReason fallback) {
        cancelReason.compareAndSet(null, fallback);
        return cancelReason.get();
    }

    /** The reason the stream was cancelled with, or {@code null}. */
    EndReason cancelReason() {
        return cancelReason.get();
    }

    private boolean write(ByteBuffer bytes) {
        try {
            transport.write(bytes);
            return true;
        } catch (IOException | RuntimeException e) {
            writeFailed(e);
            return false;
        }
    }

    /** A write failed: the first failure is kept, to tell a timeout from a client that left. */
    void writeFailed(Throwable e) {
        if (sendFailure == null && e instanceof IOException io) {
            sendFailure = io;
        }
        if (cancelReason.get() == null) {
            LOG.log(Level.DEBUG, () -> "stream " + id + ": write failed: " + describe(e));
            observer.sendFailed(e);
        }
    }

    /** Told by the write loop: a stream it serves failed inside Runnel. */
    void loggedInternalFailure(Throwable e) {
        QuietLog.log(LOG, Level.ERROR, "stream " + id + " failed inside Runnel", e);
    }

    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/event-stream");
        headers.put("Cache-Control", "no-cache");
        if (transport.isHttp1()) {
            headers.put("Connection", "keep-alive");
        }
        headers.put("X-Accel-Buffering", "no");
        if (options.allowedOrigin() != null) {
            headers.put("Access-Control-Allow-Origin", options.allowedOrigin());
            headers.put("Vary", "Origin");
        }
        headers.putAll(options.headers());
        return headers;
    }

    private static String describe(Throwable t) {
        return StreamObserver.describe(t);
    }
}
