package dev.runnel.internal;

import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubUnavailableException;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one thread per node that reads the hub's {@link HubLog}: read what is new on the topics this
 * node's subscribers use (and what waiting subscribers missed), hand it to the hub, and when nothing
 * was new wait on the log until something is. When the log cannot be reached it retries with
 * backoff and jitter from the same position, so it misses nothing the log still holds; connected
 * streams keep their heartbeats meanwhile, since they wait on their own queues. Any failure of a
 * round, an {@link Error} included, is retried the same way, and the node is not ready until a
 * round succeeds again; only {@link #stop()} ends the thread.
 */
final class LogReader {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Longest wait on the log before reading again anyway (which also notices a wiped log). */
    static final Duration AWAIT = Duration.ofSeconds(5);
    /** Longest the engine's start spends loading the log on its own thread; the reader's thread loads the rest. */
    static final Duration START_LOAD = Duration.ofSeconds(5);
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final LogFollower follower;
    private final HubLog log;
    /** A wake is on its way to the log since the current round began: no need to send another. */
    private final AtomicBoolean wakeSent = new AtomicBoolean();
    private volatile boolean connected;
    private volatile boolean stopped;
    private volatile Thread thread;

    LogReader(LogFollower follower, HubLog log) {
        this.follower = follower;
        this.log = log;
    }

    /**
     * Reads once on the calling thread, so a hub that starts is ready and knows the log's epoch at
     * once (a failure is left to the thread to retry), then starts the thread.
     */
    void start() {
        try {
            // learn the epoch and load what the log holds, for a while, so a node that starts is ready at once
            long until = System.nanoTime() + START_LOAD.toNanos();
            boolean more = true;
            while (more && System.nanoTime() - until < 0) {
                LogFollower.Round round = follower.nextRound();
                more = follower.apply(round, log.read(round.epoch(), round.cut(), LogFollower.READ_LIMIT));
            }
            connected = true;
        } catch (HubUnavailableException e) {
            LOG.log(Level.DEBUG, () -> "first read of the hub's log failed; the reader retries: " + e.getMessage());
        } catch (Throwable e) { // an Error too: the thread retries it, and the node is not ready meanwhile
            LOG.log(Level.WARNING, "first read of the hub's log failed; the reader retries", e);
        }
        thread = Thread.ofVirtual().name("runnel-hub-reader").start(this::run);
    }

    /** Stops the thread and waits briefly for it. Idempotent. */
    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while the last read of the log succeeded and the thread is reading. */
    boolean connected() {
        Thread t = thread;
        return connected && (t == null || t.isAlive());
    }

    /**
     * Makes the reader read again soon: a subscriber is waiting. Sends one wake per round, whoever
     * asks; a wake asked for after a round began is sent, so that round's wait returns at once.
     */
    void wake() {
        if (!wakeSent.getAndSet(true)) {
            log.wake();
        }
    }

    private void run() {
        try {
            readUntilStopped();
        } finally {
            // only stop() ends the loop; should anything else end it, the node must not look ready
            connected = false;
        }
    }

    private void readUntilStopped() {
        int failures = 0;
        while (!stopped) {
            try {
                wakeSent.set(false); // before the round looks at who is waiting: a later arrival sends a wake
                LogFollower.Round round = follower.nextRound();
                HubLog.Batch batch = log.read(round.epoch(), round.cut(), LogFollower.READ_LIMIT);
                boolean progressed = follower.apply(round, batch);
                if (failures > 0) {
                    LOG.log(Level.INFO, "reading the hub's log again (" + log + ") after " + failures + " failed attempt(s)");
                }
                failures = 0;
                connected = true;
                if (!progressed) {
                    LogFollower.Round watch = follower.watch();
                    if (!wakeSent.get()) {
                        log.await(watch.epoch(), watch.cut(), AWAIT);
                    }
                }
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
            } catch (Throwable e) { // an Error too: a reader that ended here would leave the node deaf but "ready"
                if (stopped) {
                    return;
                }
                connected = false;
                failures++;
                if (e instanceof HubUnavailableException) {
                    Level level = failures == 1 ? Level.WARNING : Level.DEBUG;
                    LOG.log(level, () -> "cannot read the hub's log: " + e.getMessage()
                            + "; connected streams stay open, retrying with backoff");
                } else {
                    // the first with its stack; a failure that repeats every backoff would flood the log
                    LOG.log(failures == 1 ? Level.ERROR : Level.DEBUG,
                            "reading the hub's log failed; the node is not ready, retrying with backoff", e);
                }
                try {
                    Thread.sleep(backoff(failures));
                } catch (InterruptedException stop) {
                    if (stopped) {
                        return;
                    }
                }
            }
        }
    }

    /** A random wait from half to all of {@code 50 ms × 2^(failures-1)}, capped at 2 s. */
    static long backoff(int failures) {
        long cap = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(failures - 1, 10));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }
}
