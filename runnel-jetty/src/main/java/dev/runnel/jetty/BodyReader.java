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
 * scheduler ends the wait at a total deadline. The body is capped as its bytes arrive.
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
    private final int max;
    private final Duration timeout;
    private final long deadlineNanos;
    private final Consumer<Outcome> then;
    private final AtomicBoolean finished = new AtomicBoolean();
    // the read loop's own state: Jetty runs one demand callback at a time, after the previous one
    private byte[] buffer = EMPTY;
    private int size;
    private volatile Scheduler.Task deadline;

    private BodyReader(Request request, int max, Duration timeout, Consumer<Outcome> then) {
        this.request = request;
        this.max = max;
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.then = then;
    }

    /**
     * Starts reading the body of {@code request}; {@code then} receives the outcome, perhaps before
     * this method returns (a body already in, or refused by its declared length).
     */
    static void read(Request request, int max, Duration timeout, Consumer<Outcome> then) {
        BodyReader reader = new BodyReader(request, max, timeout, then);
        long declared = request.getLength();
        if (declared > max) {
            reader.finish(reader.tooLarge());
            return;
        }
        if (declared > 0) {
            // what is declared is not yet sent: grow as bytes arrive, so a slow sender cannot reserve the cap
            reader.buffer = new byte[(int) Math.min(declared, INITIAL_CAPACITY)];
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
                boolean fits;
                try {
                    fits = append(chunk.getByteBuffer());
                } finally {
                    chunk.release();
                }
                if (!fits) {
                    finish(tooLarge());
                    return;
                }
                if (last) {
                    finish(new Complete(size == buffer.length ? buffer : Arrays.copyOf(buffer, size)));
                    return;
                }
            }
        } catch (Throwable t) {
            finish(new Broken(t));
        }
    }

    /** Copies the chunk's bytes; false when they would take the body over the cap. */
    private boolean append(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (n > max - size) {
            return false;
        }
        if (size + n > buffer.length) {
            int grown = (int) Math.min(max, Math.max(size + n, Math.max(INITIAL_CAPACITY, buffer.length * 2L)));
            buffer = Arrays.copyOf(buffer, grown);
        }
        bytes.get(buffer, size, n);
        size += n;
        return true;
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
