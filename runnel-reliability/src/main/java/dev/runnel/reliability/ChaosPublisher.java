package dev.runnel.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The chaos soak's publishers: one virtual thread per node, each posting the next publish number
 * ({@code 1, 2, 3, ...}, shared by all) to its node at a steady rate. Every publish is kept: when it was
 * sent, when it was answered and whether with {@code 2xx}. A publish is recorded before it is sent, so
 * a client that receives it finds it.
 */
final class ChaosPublisher {

    /** One publish; {@code answeredNanos} is 0 until answered, {@code acknowledged} true for a 2xx. */
    record Sent(long sentNanos, long answeredNanos, boolean acknowledged) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private final String topic;
    private final ChaosStats stats;
    private final AtomicLong next = new AtomicLong(1);
    private final ConcurrentMap<Long, Sent> sent = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    ChaosPublisher(String topic, ChaosStats stats) {
        this.topic = topic;
        this.stats = stats;
    }

    /** Publishes to {@code node} every {@code 1/rate} s until {@link #stop}; returns the thread. */
    Thread start(URI node, double rate) {
        long interval = (long) (1e9 / rate);
        return Thread.ofVirtual().name("chaos-publisher-" + node.getPort()).start(() -> {
            long at = System.nanoTime();
            while (running) {
                publish(node);
                at += interval;
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    at = System.nanoTime(); // a slow answer: go on from now instead of bursting
                }
            }
        });
    }

    void stop() {
        running = false;
    }

    /** Publishes the next number to {@code node}; returns it when answered 2xx, else -1. */
    long publish(URI node) {
        long n = next.getAndIncrement();
        long start = System.nanoTime();
        sent.put(n, new Sent(start, 0, false));
        boolean ok = false;
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(node + "/publish/" + topic)).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString(Long.toString(n))).build(), HttpResponse.BodyHandlers.discarding());
            ok = r.statusCode() / 100 == 2;
            (ok ? stats.acknowledged : stats.refused).increment();
        } catch (IOException e) {
            stats.unanswered.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stats.unanswered.increment();
        }
        sent.put(n, new Sent(start, System.nanoTime(), ok));
        return ok ? n : -1;
    }

    /** Numbers handed out so far. */
    long count() {
        return next.get() - 1;
    }

    Sent sent(long n) {
        return sent.get(n);
    }

    void close() {
        http.close();
    }
}
