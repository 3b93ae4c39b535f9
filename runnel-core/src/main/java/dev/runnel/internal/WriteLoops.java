package dev.runnel.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An engine's write loops: one platform thread per processor, each running the turns of many
 * {@link NonBlockingWriter}s (hub subscriptions on transports that write without blocking) from a
 * FIFO queue. A turn takes what a connection has queued, starts one write, and returns; the write's
 * completion queues the connection's next turn. So a delivery costs a queue hand-off to a thread that
 * is usually awake already, not the wake-up and scheduling of a thread per subscriber.
 *
 * <p>The loops start with the first stream handed to them and stop on {@link #close()}, which the
 * engine calls once its streams have ended. A turn that throws, whatever it throws, ends only its
 * own stream (see {@link NonBlockingWriter#failedInside}); the loop goes on with the next. A turn
 * queued after the loops stopped runs on the thread that queued it.
 */
public final class WriteLoops implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.runnel.stream");
    private static final AtomicInteger ENGINES = new AtomicInteger();
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final String name = "runnel-write-" + ENGINES.incrementAndGet() + "-";
    private final int count;
    private final ReentrantLock life = new ReentrantLock();
    private volatile Loop[] loops;
    private volatile boolean closed;

    /** Loops for one engine: {@code count} threads once started (at least one). */
    WriteLoops(int count) {
        this.count = Math.max(1, count);
    }

    /** One loop per processor. */
    public static WriteLoops perProcessor() {
        return new WriteLoops(Runtime.getRuntime().availableProcessors());
    }

    /** The loop that serves stream {@code id}: always the same one. Starts the loops on first use. */
    Loop forStream(long id) {
        Loop[] running = loops;
        if (running == null) {
            running = start();
        }
        return running[(int) Math.floorMod(id, (long) running.length)];
    }

    private Loop[] start() {
        life.lock();
        try {
            if (loops == null) {
                Loop[] made = new Loop[count];
                for (int i = 0; i < count; i++) {
                    made[i] = new Loop();
                }
                for (int i = 0; i < count; i++) {
                    // a loop that cannot start (no thread left) runs its turns on the callers' threads
                    try {
                        made[i].thread = Thread.ofPlatform().name(name + i).daemon(true).start(made[i]::run);
                    } catch (RuntimeException | Error e) {
                        made[i].stopped = true;
                        QuietLog.log(LOG, Level.ERROR, "cannot start a write loop; its streams are written on their callers' threads", e);
                    }
                }
                if (closed) {
                    for (Loop l : made) {
                        l.stop();
                    }
                }
                loops = made;
            }
            return loops;
        } finally {
            life.unlock();
        }
    }

    /** Stops the loops once their queued turns have run; waits briefly for their threads. Idempotent. */
    @Override
    public void close() {
        Loop[] running;
        life.lock();
        try {
            closed = true;
            running = loops;
        } finally {
            life.unlock();
        }
        if (running == null) {
            return;
        }
        for (Loop l : running) {
            l.stop();
        }
        for (Loop l : running) {
            Thread t = l.thread;
            if (t != null && t != Thread.currentThread()) {
                try {
                    if (!t.join(STOP_WAIT)) {
                        QuietLog.log(LOG, Level.WARNING, "write loop " + t.getName() + " did not stop within " + STOP_WAIT, null);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One thread running turns in the order they were queued. */
    static final class Loop {
        private final ConcurrentLinkedQueue<NonBlockingWriter> queue = new ConcurrentLinkedQueue<>();
        /** Set by the loop before it parks, so a queuer knows to unpark it. */
        private final AtomicBoolean parked = new AtomicBoolean();
        private volatile boolean stopped;
        private volatile Thread thread;

        /** Queues a turn of {@code writer}; never blocks. */
        void submit(NonBlockingWriter writer) {
            if (stopped) {
                runContained(writer);
                return;
            }
            queue.offer(writer);
            if (parked.get() && parked.compareAndSet(true, false)) {
                LockSupport.unpark(thread);
            }
            if (stopped) {
                drain(); // stopped meanwhile: the loop may have gone without this turn
            }
        }

        /**
         * Queues another turn of {@code writer} behind those queued, from its turn on this loop; false,
         * queuing nothing, once the loop stopped (the turn then goes on where it runs).
         */
        boolean requeue(NonBlockingWriter writer) {
            if (stopped) {
                return false;
            }
            submit(writer);
            return true;
        }

        private void stop() {
            stopped = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        private void run() {
            try {
                while (!stopped) {
                    // nothing stops a loop by interrupting it: a flag left by a turn's callbacks would make park spin
                    Thread.interrupted();
                    NonBlockingWriter next = queue.poll();
                    if (next != null) {
                        runContained(next);
                        continue;
                    }
                    parked.set(true);
                    if (queue.isEmpty() && !stopped) {
                        LockSupport.park(this);
                    }
                    parked.set(false);
                }
            } finally {
                stopped = true;
                drain();
            }
        }

        /** Runs what is still queued, on this thread. */
        private void drain() {
            for (NonBlockingWriter w; (w = queue.poll()) != null; ) {
                runContained(w);
            }
        }

        private static void runContained(NonBlockingWriter writer) {
            try {
                writer.turn();
            } catch (Throwable t) {
                try {
                    writer.failedInside(t);
                } catch (Throwable ignored) {
                    // nothing more can be done for this stream here; the loop serves the others
                }
            }
        }
    }
}
