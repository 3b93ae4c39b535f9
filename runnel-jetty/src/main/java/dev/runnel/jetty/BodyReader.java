package dev.runnel.jetty;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads one request body without holding a thread: Jetty's {@code read}/{@code demand} loop takes
 * the chunks as they arrive (on whichever thread Jetty calls back on), and a timer of the server's
 * scheduler ends the wait at a total deadline. The body is capped as its bytes arrive, and its
 * buffer is reserved from the server's {@link BodyBudget} before it grows: a body that finds no room
 * is refused ({@code 503}). The reservation is released here when the read fails; the body's
 * owner releases it after a complete read, when it is done with the body.
 *
 * <p>Exactly one {@link Outcome} is handed to the consumer, once: from the thread that finished the
 * read, or from the scheduler's thread when the deadline passed first. The consumer must not block;
 * what it throws is logged.
 */
final class BodyReader implements Runnable {

    /** How a read ended. */
    sealed interface Outcome {
    }

    /** The whole body. */
    record Complete(byte[] body) implements Outcome {
    }

    /** The body is refused: answer {@code status} with {@code reason}, and close the connection. */
    record Refused(int status, String reason) implements Outcome {
    }

    /** The connection failed while the body arrived (the client left): nothing can be answered. */
    record Broken(Throwable failure) implements Outcome {
    }

    private static final System.Logger LOG = System.getLogger("dev.runnel.jetty");
    private static final byte[] EMPTY = new byte[0];
    private static final int INITIAL_CAPACITY = 8192;

    private final Request request;
    private final BodyBudget.Reservation reservation;
    private final int max;
    private final int room; // the largest buffer the body can need: the cap, or less when its length is declared
    private final Duration timeout;
    private final long deadlineNanos;
    private final Consumer<Outcome> then;
    private final AtomicBoolean finished = new AtomicBoolean();
    // the read loop's own state: Jetty runs one demand callback at a time, after the previous one
    private byte[] buffer = EMPTY;
    private int size;
    private volatile Scheduler.Task deadline;

    private BodyReader(Request request, BodyBudget.Reservation reservation, int max, Duration timeout, Consumer<Outcome> then) {
        this.request = request;
        this.reservation = reservation;
        this.max = max;
        long declared = request.getLength();
        this.room = declared >= 0 && declared < max ? (int) declared : max;
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.then = then;
    }

    /**
     * Starts reading the body of {@code request}; {@code then} receives the outcome, perhaps before
     * this method returns (a body already in, or refused by its declared length). The buffer is
     * reserved from {@code reservation}, which is released on every outcome but {@link Complete}.
     */
    static void read(Request request, BodyBudget.Reservation reservation, int max, Duration timeout, Consumer<Outcome> then) {
        long declared = request.getLength();
        BodyReader reader = new BodyReader(request, reservation, max, timeout, then);
        if (declared > max) {
            reader.finish(reader.tooLarge());
            return;
        }
        if (declared > 0) {
            // what is declared is not yet sent: grow as bytes arrive, so a slow sender cannot reserve the cap
            int initial = (int) Math.min(declared, INITIAL_CAPACITY);
            if (!reservation.grow(initial)) {
                reader.finish(noRoom());
                return;
            }
            reader.buffer = new byte[initial];
        }
        reader.run();
    }

    /** The read loop: reads what has arrived, then asks Jetty to call it again when more does. */
    @Override
    public void run() {
        try {
            while (!finished.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    armDeadline();
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    finish(failed(chunk.getFailure()));
                    return;
                }
                boolean last = chunk.isLast();
                Fit fits;
                try {
                    fits = append(chunk.getByteBuffer());
                } finally {
                    chunk.release();
                }
                if (fits == Fit.TOO_LARGE) {
                    finish(tooLarge());
                    return;
                }
                if (fits == Fit.NO_ROOM) {
                    finish(noRoom());
                    return;
                }
                if (last) {
                    byte[] body = size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
                    buffer = EMPTY;
                    reservation.shrinkTo(body.length);
                    finish(new Complete(body));
                    return;
                }
            }
        } catch (Throwable t) {
            finish(new Broken(t));
        }
    }

    /** Whether a chunk went into the buffer. */
    private enum Fit { COPIED, TOO_LARGE, NO_ROOM }

    /** Copies the chunk's bytes, growing the buffer (within the cap and the budget) when they need it. */
    private Fit append(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (n > max - size) {
            return Fit.TOO_LARGE;
        }
        if (size + n > buffer.length) {
            int grown = (int) Math.max(size + n, Math.min(room, Math.max(INITIAL_CAPACITY, buffer.length * 2L)));
            if (!reservation.grow(grown - buffer.length)) {
                return Fit.NO_ROOM;
            }
            buffer = Arrays.copyOf(buffer, grown);
        }
        bytes.get(buffer, size, n);
        size += n;
        return Fit.COPIED;
    }

    /** Starts the deadline's timer the first time the loop has to wait: a body already in needs none. */
    private void armDeadline() {
        if (deadline == null) {
            long left = Math.max(0, deadlineNanos - System.nanoTime());
            deadline = request.getComponents().getScheduler().schedule(this::expire, left, TimeUnit.NANOSECONDS);
        }
    }

    private void expire() {
        finish(new Refused(408, "request body not received within " + timeout.toMillis() + " ms"));
    }

    private Refused tooLarge() {
        return new Refused(413, "request body too large: at most " + max + " bytes");
    }

    private static Refused noRoom() {
        return new Refused(503, "too many request bodies are being received at once; try again later");
    }

    private Outcome failed(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return new Refused(408, "request body not received: the connection was idle too long");
        }
        if (failure instanceof BadMessageException bad) {
            return new Refused(400, "malformed request body: " + bad.getReason());
        }
        return new Broken(failure);
    }

    private void finish(Outcome outcome) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (!(outcome instanceof Complete)) {
            reservation.release();
        }
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
        try {
            then.accept(outcome);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "handling the end of a request body failed", t);
        }
    }
}
