package dev.runnel.internal;

import dev.runnel.EngineMetrics.EndReason;
import dev.runnel.SseEncoder;
import dev.runnel.transport.SseTransport;
import dev.runnel.transport.WriteTimeoutException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The writer of one hub subscription whose transport writes without blocking: it has no thread of
 * its own. Whatever may call for a write (an event queued, the heartbeat, the age or the write timeout
 * falling due, a completion, a cancel) {@linkplain #kick kicks} it, which queues one
 * {@linkplain #turn turn} on its {@link WriteLoops.Loop}; a turn takes what is queued, coalesces it
 * into one buffer and starts one write, and the write's completion kicks it again.
 *
 * <p>One turn at a time: kicks are counted ({@code wip}), only the first queues a turn, and the turn
 * goes round again while kicks came in during it, so none is lost and turns never overlap; the
 * lifecycle's observer is only called from turns (and, once the stream ended, from its end thread).
 * At most one write is in progress: a turn starts one only when the last one was told.
 *
 * <p>Ends: a turn decides the end, exactly once ({@code ended}), and hands it to the lifecycle, which
 * finishes it on a thread of its own. A client gone, cut off as slow, or a transport aborted ends the
 * stream at once, also with a write in progress (whose completion, should it come, changes nothing);
 * a shutdown or an application's close waits for that write (at most the write timeout) and then
 * completes the response. A write told twice, late or on any thread counts once; a write that throws
 * or fails ends only this stream.
 */
final class NonBlockingWriter {

    private static final byte[] HEARTBEAT = SseEncoder.heartbeat();
    private static final int PENDING = 0;
    private static final int WRITTEN = 1;
    private static final int FAILED = 2;
    /** The steps one turn takes before the connections behind it on the loop get theirs. */
    static final int STEPS_PER_TURN = 16;

    private final StreamLifecycle stream;
    private final SseTransport transport;
    private final ValueChannel channel;
    private final WriteLoops.Loop loop;
    private final DueClock.Entry due;
    private final long heartbeatNanos;
    private final long endAt;
    private final long timeoutNanos;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean aborted;
    /** The write in progress, {@code null} when none is. */
    private volatile Write inFlight;

    // owned by the turns
    private final List<Object> batch = new ArrayList<>();
    private final List<byte[]> encoded = new ArrayList<>();
    private int chunkStart;
    private int chunkEnd;
    private int chunkBytes;
    private long lastWrite;

    NonBlockingWriter(StreamLifecycle stream, SseTransport transport, ValueChannel channel, WriteLoops.Loop loop, DueClock clock,
                      long heartbeatNanos, long endAt) {
        this.stream = stream;
        this.transport = transport;
        this.channel = channel;
        this.loop = loop;
        this.heartbeatNanos = heartbeatNanos;
        this.endAt = endAt;
        this.timeoutNanos = transport.writeTimeout().toNanos();
        this.lastWrite = System.nanoTime();
        this.due = clock.watch(this::kick);
    }

    /** Something may call for a turn: queues one unless one is queued or running. Never blocks; never throws. */
    void kick() {
        try {
            if (wip.getAndIncrement() == 0) {
                loop.submit(this);
            }
        } catch (Throwable t) {
            failedInside(t);
        }
    }

    /** The transport was aborted: a write in progress will not be told, so the stream ends at its next turn. */
    void aborted() {
        aborted = true;
        kick();
    }

    /**
     * Runs on the loop: steps until no kick came in meanwhile, or, after {@link #STEPS_PER_TURN} steps,
     * queues its next turn behind the other connections' (a connection whose writes complete at once
     * while its events keep coming would otherwise hold the loop, and its neighbours would starve).
     */
    void turn() {
        int missed = wip.get();
        for (int steps = 1; ; steps++) {
            step();
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
            if (steps >= STEPS_PER_TURN && loop.requeue(this)) {
                return; // wip stays above zero: the queued turn takes the kicks that came in
            }
        }
    }

    /** A turn that threw, or a kick that could not queue one: the stream ends as Runnel's own failure. */
    void failedInside(Throwable t) {
        if (ended.get()) {
            return;
        }
        try {
            stream.loggedInternalFailure(t);
        } catch (Throwable ignored) {
            // a log that fails must not keep the stream open
        }
        end(stream.cancelled(EndReason.FAILED), t);
    }

    private void step() {
        if (ended.get()) {
            return;
        }
        long now = System.nanoTime();
        Write w = inFlight;
        if (w != null) {
            int state = w.state.get();
            if (state == PENDING) {
                waitFor(w, now);
                return;
            }
            inFlight = null;
            if (state == FAILED) {
                stream.writeFailed(w.failure);
                end(stream.cancelled(EndReason.SEND_FAILED), null);
                return;
            }
            lastWrite = now;
            if (w.heartbeat) {
                stream.observer.heartbeat();
            } else {
                stream.observer.written(batch, chunkStart, chunkEnd, chunkBytes);
                chunkStart = chunkEnd;
                if (chunkStart < encoded.size()) {
                    startChunk();
                    return;
                }
                stream.observer.batchWritten();
                batch.clear();
                encoded.clear();
            }
        }
        if (aborted) {
            end(stream.cancelled(EndReason.SHUTDOWN), null);
            return;
        }
        if (now - endAt >= 0) {
            end(stream.cancelled(EndReason.MAX_AGE), null);
            return;
        }
        ValueChannel.Signal signal;
        // an interrupt left by code that ran on this thread (a metrics callback, or the caller of a turn
        // run in place) is not this stream's end: the poll does not wait, and the flag is put back
        boolean interrupted = Thread.interrupted();
        try {
            signal = channel.poll(batch, ServeDefaults.MAX_BATCH_VALUES, 0);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a write loop was interrupted", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        switch (signal) {
            case ITEMS -> {
                stream.encode(batch, encoded);
                chunkStart = 0;
                startChunk();
            }
            case TIMEOUT -> {
                if (now - lastWrite >= heartbeatNanos) {
                    start(ByteBuffer.wrap(HEARTBEAT), true);
                } else {
                    long next = lastWrite + heartbeatNanos;
                    due.dueAt(endAt - next < 0 ? endAt : next);
                }
            }
            case FINISHED -> end(channel.failure() == null ? EndReason.COMPLETED : EndReason.FAILED, null);
            case CANCELLED -> end(stream.cancelled(EndReason.SHUTDOWN), null);
        }
    }

    /**
     * A write is in progress: the stream ends now if its client is gone or its transport aborted, or
     * if the write has waited out the timeout; otherwise it waits for the write (an ending that
     * completes the response does so after it).
     */
    private void waitFor(Write w, long now) {
        EndReason cancel = stream.cancelReason();
        if (aborted || cancel == EndReason.CLIENT_CLOSED || cancel == EndReason.SLOW_CLIENT) {
            end(stream.cancelled(EndReason.SHUTDOWN), null);
            return;
        }
        if (now - w.startedAt >= timeoutNanos) {
            WriteTimeoutException timeout = new WriteTimeoutException(transport.writeTimeout());
            stream.writeFailed(timeout);
            end(stream.cancelled(EndReason.SEND_FAILED), null); // told as a write timeout; the end aborts the response
            return;
        }
        due.dueAt(w.startedAt + timeoutNanos);
    }

    private void startChunk() {
        chunkEnd = StreamLifecycle.chunkEnd(encoded, chunkStart);
        chunkBytes = StreamLifecycle.bytes(encoded, chunkStart, chunkEnd);
        start(StreamLifecycle.join(encoded, chunkStart, chunkEnd, chunkBytes), false);
    }

    /** Starts one write; a transport that throws instead of telling the callback fails it. */
    private void start(ByteBuffer bytes, boolean heartbeat) {
        Write w = new Write(heartbeat, System.nanoTime());
        inFlight = w;
        due.dueAt(w.startedAt + timeoutNanos);
        try {
            transport.writeAsync(bytes, w);
        } catch (Throwable t) {
            w.failed(t);
        }
    }

    /** Ends the stream, once: the lifecycle finishes it on a thread of its own. */
    private void end(EndReason reason, Throwable internal) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            due.close();
            channel.listen(null);
        } finally {
            stream.endHandedOff(reason, internal);
        }
    }

    /** One write's completion: the first telling counts, whoever tells it and on whatever thread. */
    private final class Write implements SseTransport.WriteCallback {
        final boolean heartbeat;
        final long startedAt;
        final AtomicInteger state = new AtomicInteger(PENDING);
        volatile Throwable failure;

        Write(boolean heartbeat, long startedAt) {
            this.heartbeat = heartbeat;
            this.startedAt = startedAt;
        }

        @Override
        public void written() {
            if (state.compareAndSet(PENDING, WRITTEN)) {
                kick();
            }
        }

        @Override
        public void failed(Throwable cause) {
            if (state.get() == PENDING) {
                failure = cause == null ? new java.io.IOException("write failed") : cause;
                if (state.compareAndSet(PENDING, FAILED)) {
                    kick();
                }
            }
        }
    }
}
