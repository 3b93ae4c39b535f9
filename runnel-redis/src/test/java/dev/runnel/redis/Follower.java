package dev.runnel.redis;

import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client that follows one topic for as long as the test runs, as a browser would: when its stream
 * ends (or cannot be opened) it reconnects, with the last id it saw, to the node {@code nodes} names
 * next. Every event's data is the publisher's number ({@link Publisher}); the follower checks that the
 * hub's ids ({@code EPOCH-SEQ}) only grow and that no number comes twice, and keeps what it received
 * and which stretches a {@code runnel:reset} excuses, for {@link Publisher#lost} to check against what
 * was acknowledged. One virtual thread per follower.
 */
final class Follower implements AutoCloseable {

    /** How long one read waits; {@link #close} ends a wait at once by closing the socket. */
    private static final Duration POLL = Duration.ofSeconds(5);

    private final String topic;
    private final Supplier<URI> nodes;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Integer> received = new HashMap<>();
    /** Stretches a reset excuses: from the number after the last one before it, to the first one after it. */
    private final List<long[]> excused = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();
    private volatile long openedAtNanos = Long.MAX_VALUE;
    private volatile long highest;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile RawSseClient current;
    private volatile String lastId = "";
    private volatile String lastFailure = "none";
    private long lastEpoch = -1;
    private long lastSeq = -1;
    private boolean afterReset;
    private long beforeReset;

    Follower(String topic, Supplier<URI> nodes) {
        this.topic = topic;
        this.nodes = nodes;
        this.thread = Thread.ofVirtual().name("follower-" + topic).start(this::run);
    }

    private void run() {
        while (!closed) {
            URI node = nodes.get();
            RawSseClient client;
            try {
                client = RawSseClient.get(URI.create(node + "/t/" + topic),
                        lastId.isEmpty() ? Map.of() : Map.of("Last-Event-ID", lastId));
            } catch (IOException | RuntimeException e) {
                lastFailure = node + ": " + e;
                pause();
                continue;
            }
            current = client;
            try {
                if (client.status() != 200) {
                    lastFailure = node + ": HTTP " + client.status() + " " + client.text().strip();
                    pause(); // 503 while a node cannot tell where to resume: a browser retries
                    continue;
                }
                connects.incrementAndGet();
                if (openedAtNanos == Long.MAX_VALUE) {
                    openedAtNanos = System.nanoTime();
                }
                connected = true;
                follow(client);
            } finally {
                connected = false;
                current = null;
                try {
                    client.close();
                } catch (IOException ignored) {
                    // gone anyway
                }
            }
        }
    }

    /** Reads events until the stream ends. */
    private void follow(RawSseClient client) {
        int seen = 0;
        while (!closed) {
            List<WireEvents.Event> events;
            try {
                events = client.awaitEvents(seen + 1, POLL);
            } catch (AssertionError | IOException notYet) {
                if (client.ended() || notYet instanceof IOException) {
                    return;
                }
                continue;
            }
            for (WireEvents.Event e : events.subList(seen, events.size())) {
                take(e);
            }
            seen = events.size();
        }
    }

    private void take(WireEvents.Event e) {
        lock.lock();
        try {
            if ("runnel:reset".equals(e.event())) {
                resets.incrementAndGet();
                if (!afterReset) {
                    afterReset = true;
                    beforeReset = highest;
                }
                lastEpoch = -1;
                lastSeq = -1;
                lastId = e.id() == null ? "" : e.id();
                return;
            }
            long n = Long.parseLong(e.data().strip());
            int dash = e.id().indexOf('-');
            long epoch = Long.parseLong(e.id().substring(0, dash));
            long seq = Long.parseLong(e.id().substring(dash + 1));
            if (lastEpoch >= 0 && (epoch < lastEpoch || epoch == lastEpoch && seq <= lastSeq)) {
                violations.add("id " + e.id() + " after " + lastEpoch + "-" + lastSeq + " (out of order or again)");
            }
            if (received.merge(n, 1, Integer::sum) > 1) {
                violations.add("number " + n + " received twice (id " + e.id() + ")");
            }
            if (afterReset) {
                afterReset = false;
                excused.add(new long[]{beforeReset + 1, n - 1});
            }
            lastEpoch = epoch;
            lastSeq = seq;
            lastId = e.id();
            highest = Math.max(highest, n);
        } finally {
            lock.unlock();
        }
    }

    private void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** When the first stream opened ({@link System#nanoTime()}); {@link Long#MAX_VALUE} before. */
    long openedAtNanos() {
        return openedAtNanos;
    }

    boolean connected() {
        return connected;
    }

    long highest() {
        return highest;
    }

    int resets() {
        return resets.get();
    }

    /** Streams opened, the first one included. */
    int connects() {
        return connects.get();
    }

    boolean received(long n) {
        lock.lock();
        try {
            return received.containsKey(n);
        } finally {
            lock.unlock();
        }
    }

    /** True when a reset told this follower it may have missed {@code n}. */
    boolean excused(long n) {
        lock.lock();
        try {
            for (long[] range : excused) {
                if (n >= range[0] && n <= range[1]) {
                    return true;
                }
            }
            return afterReset && n > beforeReset; // reset, and nothing received since
        } finally {
            lock.unlock();
        }
    }

    List<String> violations() {
        lock.lock();
        try {
            return List.copyOf(violations);
        } finally {
            lock.unlock();
        }
    }

    /** Ends the follower's stream (its thread reconnects), as a network blip would. */
    void drop() {
        RawSseClient c = current;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // gone anyway
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        drop();
        thread.interrupt();
        thread.join(Duration.ofSeconds(10));
    }

    /** Its state, for a failure message. */
    @Override
    public String toString() {
        return "follower of " + topic + " (" + (connected ? "connected" : "not connected") + ", " + connects + " streams, highest "
                + highest + ", last id " + lastId + ", last failure: " + lastFailure + ")";
    }

    /** Followers that record their violations in one map, by topic, for a test's assertion. */
    static Map<String, List<String>> violations(List<Follower> followers) {
        Map<String, List<String>> all = new ConcurrentHashMap<>();
        for (Follower f : followers) {
            if (!f.violations().isEmpty()) {
                all.put(f.topic + "#" + System.identityHashCode(f), f.violations());
            }
        }
        return all;
    }
}
