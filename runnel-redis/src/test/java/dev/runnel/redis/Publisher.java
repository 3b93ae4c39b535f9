package dev.runnel.redis;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Publishes {@code 1, 2, 3, ...} to a topic over HTTP ({@code POST /publish/{topic}}), one at a time,
 * to the node {@code nodes} names next, and keeps every answer: its status, its body, how long it
 * took and when it was sent. Only a {@code 2xx} counts as acknowledged.
 */
final class Publisher implements AutoCloseable {

    /** One publish: {@code status} is 0 when no answer came (timeout, refused connection). */
    record Sent(long n, long sentNanos, long tookNanos, int status, String body) {
        boolean acknowledged() {
            return status / 100 == 2;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String topic;
    private final ConcurrentMap<Long, Sent> sent = new ConcurrentHashMap<>();
    private long next;

    Publisher(String topic) {
        this(topic, 1);
    }

    /** Numbers from {@code first} on (seven digits, say, so that one is never mistaken for a sequence number on the wire). */
    Publisher(String topic, long first) {
        this.topic = topic;
        this.next = first;
    }

    /** The number the next publish carries. */
    long next() {
        return next;
    }

    /** Publishes the next number to {@code node} and returns the answer. */
    Sent publish(URI node) {
        long n = next++;
        long start = System.nanoTime();
        int status = 0;
        String body = "";
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node + "/publish/" + topic))
                    .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(Long.toString(n))).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            body = r.body();
        } catch (IOException e) {
            body = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            body = e.toString();
        }
        Sent s = new Sent(n, start, System.nanoTime() - start, status, body);
        sent.put(n, s);
        return s;
    }

    /** Publishes to the nodes {@code nodes} names, every {@code every}, until {@code running} is false; one virtual thread. */
    Thread publishEvery(Duration every, Supplier<URI> nodes, java.util.function.BooleanSupplier running) {
        return Thread.ofVirtual().name("publisher-" + topic).start(() -> {
            while (running.getAsBoolean()) {
                publish(nodes.get());
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    List<Sent> all() {
        List<Sent> all = new ArrayList<>(sent.values());
        all.sort(java.util.Comparator.comparingLong(Sent::n));
        return all;
    }

    /**
     * What {@code follower} should have received and did not, with no reset to excuse it: each number
     * acknowledged with {@code 2xx} that was sent after the follower's first stream opened.
     */
    List<Long> lost(Follower follower) {
        List<Long> lost = new ArrayList<>();
        for (Sent s : all()) {
            if (s.acknowledged() && s.sentNanos() > follower.openedAtNanos() && !follower.received(s.n()) && !follower.excused(s.n())) {
                lost.add(s.n());
            }
        }
        return lost;
    }

    @Override
    public void close() {
        http.close();
    }
}
