package dev.runnel.reliability;

import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client of the chaos soak: follows the topic on one node at a time and moves to another, with
 * its {@code Last-Event-ID}, after a random 1 to 10 s, or at once when its stream ends or cannot be
 * opened (a node killed or refusing). Each event's data is a publish number ({@link ChaosPublisher});
 * the client checks that the hub's ids ({@code EPOCH-SEQ}) only grow and that no number comes twice,
 * and keeps what it received and each {@code runnel:reset}, for the loss count at the end. A stream
 * opened without an id (before the first event, or after a reset that gave none) starts what the
 * client must receive afresh: what was published while it had no id to resume from is not a loss.
 *
 * <p>The listener and the churning thread never overlap: {@link EventSource#close()} returns after
 * the listener's last call; the listener's own calls are under {@link #lock} for the final count.
 */
final class ChaosClient implements EventSourceListener {

    /** A reset: what came before it ({@code lastBefore}, -1 for nothing) and when the next event arrived. */
    record Reset(long lastBefore, long nextEventNanos) {
    }

    private final List<URI> nodes;
    private final EventSourceOptions options;
    private final ChaosStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final BitSet received = new BitSet();
    private final List<Reset> resets = new ArrayList<>();
    private final Semaphore ended = new Semaphore(0);
    private long lastEpoch = -1;
    private long lastSeq = -1;
    private long lastN = -1;
    private String lastId = "";
    /** A reset came and no event since: its index in {@link #resets}, else -1. */
    private int openReset = -1;
    private volatile long firstOpenNanos = Long.MAX_VALUE;
    private volatile boolean open;
    private volatile EventSource current;
    private static final long BEGAN = System.nanoTime();
    private volatile int opened;
    private boolean firstSinceOpen;
    private final StringBuilder log = new StringBuilder();

    ChaosClient(List<URI> nodes, EventSourceOptions options, ChaosStats stats) {
        this.nodes = nodes;
        this.options = options.withReconnect(false);
        this.stats = stats;
    }

    /** Moves between nodes until {@code deadlineNanos}, then stays where it is for the final count. */
    void run(long deadlineNanos, Duration minLife, Duration maxLife) throws InterruptedException {
        URI node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
        boolean first = true;
        while (true) {
            ended.drainPermits();
            EventSource source = EventSource.connect(node, options.withLastEventId(lastId()), this);
            current = source;
            if (!first) {
                stats.reconnects.increment();
            }
            first = false;
            long life = ThreadLocalRandom.current().nextLong(minLife.toMillis(), maxLife.toMillis() + 1);
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            boolean endedEarly = ended.tryAcquire(Math.max(0, Math.min(life, left)), TimeUnit.MILLISECONDS);
            if (!endedEarly && left <= life) {
                return; // the final source stays open
            }
            source.close();
            if (endedEarly) {
                Thread.sleep(200); // as a browser waits before it reconnects
            }
            node = another(node);
        }
    }

    /** After the churn: keeps following, moving on only when the stream ends, until {@code untilNanos}. */
    void keepFollowing(long untilNanos) throws InterruptedException {
        while (System.nanoTime() < untilNanos) {
            if (!ended.tryAcquire(Math.max(1, (untilNanos - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                return;
            }
            current.close();
            Thread.sleep(200);
            ended.drainPermits();
            current = EventSource.connect(nodes.get(ThreadLocalRandom.current().nextInt(nodes.size())),
                    options.withLastEventId(lastId()), this);
            stats.reconnects.increment();
        }
    }

    private URI another(URI node) {
        if (nodes.size() == 1) {
            return node;
        }
        URI next;
        do {
            next = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
        } while (next.equals(node));
        return next;
    }

    private String lastId() {
        lock.lock();
        try {
            return lastId;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        EventSource source = current;
        if (source != null) {
            source.close();
        }
    }

    /** Since when it must receive every acknowledged publish: its last stream opened without an id ({@link Long#MAX_VALUE} before any). */
    long firstOpenNanos() {
        return firstOpenNanos;
    }

    boolean received(long n) {
        lock.lock();
        try {
            return received.get((int) n);
        } finally {
            lock.unlock();
        }
    }

    List<Reset> resets() {
        lock.lock();
        try {
            return List.copyOf(resets);
        } finally {
            lock.unlock();
        }
    }

    /** What it received first, and the streams it opened, for a report of a loss. */
    @Override
    public String toString() {
        lock.lock();
        try {
            return "received " + received.cardinality() + " publishes, first " + received.nextSetBit(0) + ", last id " + lastId
                    + ", streams opened " + opened + ", first at " + (firstOpenNanos - BEGAN) / 1_000_000 + " ms, log: " + log;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onOpen(EventSource source, HttpResponse.ResponseInfo response) {
        open = true;
        opened++;
        firstSinceOpen = true;
        if (log.length() < 600) {
            log.append(String.format(java.util.Locale.ROOT, " [open %s at %d ms after %s]", source == null ? "-" : source.uri().getPort(),
                    (System.nanoTime() - BEGAN) / 1_000_000, lastId));
        }
        lock.lock();
        try {
            if (lastId.isEmpty()) {
                // no id to resume from (nothing received yet, or a reset without one): what was published
                // while it was away is not its to miss, so what it must receive is counted from here
                firstOpenNanos = System.nanoTime();
            }
        } finally {
            lock.unlock();
        }
        stats.connected.incrementAndGet();
    }

    @Override
    public void onEvent(EventSource source, MessageEvent event) {
        lock.lock();
        try {
            if (event.type().equals("runnel:reset")) {
                stats.resets.increment();
                if (openReset < 0) {
                    resets.add(new Reset(lastN, Long.MAX_VALUE));
                    openReset = resets.size() - 1;
                }
                lastEpoch = -1;
                lastSeq = -1;
                lastId = event.lastEventId();
                return;
            }
            if (!event.type().equals("message")) {
                stats.violation("unexpected event " + event.type() + ": " + event.data());
                return;
            }
            long n = Long.parseLong(event.data());
            String id = event.lastEventId();
            int dash = id.indexOf('-');
            long epoch = Long.parseLong(id.substring(0, dash));
            long seq = Long.parseLong(id.substring(dash + 1));
            if (lastEpoch >= 0 && (epoch < lastEpoch || epoch == lastEpoch && seq <= lastSeq)) {
                stats.outOfOrder.increment();
                stats.violation("id " + id + " (publish " + n + ") after " + lastEpoch + "-" + lastSeq);
            }
            if (received.get((int) n)) {
                stats.duplicated.increment();
                stats.violation("publish " + n + " received twice (id " + id + ")");
            }
            received.set((int) n);
            if (firstSinceOpen && log.length() < 600) {
                firstSinceOpen = false;
                log.append(" first ").append(n).append(' ').append(id).append(String.format(java.util.Locale.ROOT, " at %d ms", (System.nanoTime() - BEGAN) / 1_000_000));
            }
            if (openReset >= 0) {
                resets.set(openReset, new Reset(resets.get(openReset).lastBefore(), System.nanoTime()));
                openReset = -1;
            }
            lastEpoch = epoch;
            lastSeq = seq;
            lastN = n;
            lastId = id;
            stats.delivered.increment();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onError(EventSource source, Throwable error) {
        leave();
        stats.streamErrors.increment();
    }

    @Override
    public void onClosed(EventSource source, StreamEnd end) {
        leave();
        if (!(end instanceof StreamEnd.Closed)) {
            ended.release();
        }
    }

    private void leave() {
        if (open) {
            open = false;
            stats.connected.decrementAndGet();
        }
    }
}
