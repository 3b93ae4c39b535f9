package dev.runnel.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Publishes through any server's HTTP publish endpoint: a request template (method, URL, headers,
 * body) whose {@code {ts}} is replaced by {@link Clock#micros()} when each request is sent. Open
 * loop at a fixed rate, with a bound on requests in flight: a tick that finds the bound reached is
 * skipped and counted, so a publisher that cannot keep up shows as such. With several templates (one
 * topic each), every tick publishes to all of them at once; with {@code {seq}} in a template's URL,
 * every request goes to a URL of its own ({@code {seq}} in the body: the same number). Every request's
 * own time, from sending it to its answer, goes into {@link #callLatency()}. A rate of
 * {@link Double#POSITIVE_INFINITY} publishes back to back: the next request goes as soon as one of
 * the bounded places in flight is free (with one, as soon as the previous answer came).
 */
final class Publisher implements AutoCloseable {

    /**
     * How to publish: e.g. POST http://127.0.0.1:8080/publish/bench, body {@code data={ts}}. A
     * {@code {seq}} in the URL becomes the publish's number (1, 2, ... per publisher), so each publish
     * can go to a topic of its own ({@code /publish/news.{seq}}).
     */
    record Template(String method, String url, List<String> headers, String body) {
        Template(String method, URI url, List<String> headers, String body) {
            this(method, url.toString(), headers, body);
        }

        /** The URL of the {@code seq}th publish. */
        URI url(long seq) {
            return URI.create(url.replace(SEQ, Long.toString(seq)));
        }
    }

    /** In a template's URL: replaced by the publish's number. */
    static final String SEQ = "{seq}";

    /** Requests sent, answered 2xx, failed, and ticks skipped because too many were in flight. */
    record Result(long sent, long ok, long failed, long skipped) {
    }

    private final List<Template> templates;
    private final HttpClient client;
    private final int maxInFlight;
    /** Requests made so far: the number a {@code {seq}} in the URL takes. */
    private final AtomicLong published = new AtomicLong();
    /** Each request's time from sending to its answer (2xx or not), in microseconds. */
    private final Recorder callLatency = new Recorder(SseConnections.MAX_MICROS, 3);

    Publisher(Template template, int maxInFlight) {
        this(List.of(template), maxInFlight);
    }

    Publisher(List<Template> templates, int maxInFlight) {
        this.templates = List.copyOf(templates);
        this.maxInFlight = maxInFlight;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The bound on requests in flight. */
    int maxInFlight() {
        return maxInFlight;
    }

    /** How many requests each tick sends: one per template. */
    int templates() {
        return templates.size();
    }

    /** The publish calls' times (send to answer, microseconds) since the last call of this method. */
    Histogram callLatency() {
        return callLatency.getIntervalHistogram();
    }

    private java.util.concurrent.CompletableFuture<HttpResponse<Void>> send(Template template) {
        long sent = System.nanoTime();
        return client.sendAsync(request(template), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) ->
                callLatency.recordValue(Math.min(SseConnections.MAX_MICROS, (System.nanoTime() - sent) / 1000)));
    }

    private HttpRequest request(Template template) {
        long seq = published.incrementAndGet();
        HttpRequest.Builder b = HttpRequest.newBuilder(template.url(seq)).timeout(Duration.ofSeconds(30));
        for (String h : template.headers()) {
            int colon = h.indexOf(':');
            b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        String body = template.body().replace(SEQ, Long.toString(seq)).replace("{ts}", Long.toString(Clock.micros()));
        return b.method(template.method(), body.isEmpty()
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Publishes one event per template, all at once, and waits for the answers; true when all are 2xx. */
    boolean publishOne() throws InterruptedException {
        List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> sent = templates.stream()
                .map(this::send).toList();
        boolean ok = true;
        for (var answer : sent) {
            try {
                ok &= answer.get().statusCode() / 100 == 2;
            } catch (java.util.concurrent.ExecutionException e) {
                System.err.println("load: publish failed: " + e.getCause());
                ok = false;
            }
        }
        return ok;
    }

    /**
     * Publishes {@code ratePerSecond} events a second for {@code seconds} (infinite: back to back, as
     * many as the bound in flight lets through), then waits for the answers.
     */
    Result run(double ratePerSecond, double seconds) throws InterruptedException {
        Semaphore inFlight = new Semaphore(maxInFlight);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        long skipped = 0;
        boolean backToBack = Double.isInfinite(ratePerSecond);
        long total = backToBack ? Long.MAX_VALUE : Math.round(ratePerSecond * seconds);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        double interval = 1e9 / ratePerSecond;
        for (long i = 0; i < total; i++) {
            if (backToBack) {
                if (System.nanoTime() >= end) {
                    break;
                }
            } else {
                long due = start + (long) (i * interval);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            for (Template template : templates) {
                if (backToBack) {
                    if (!inFlight.tryAcquire(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        continue;
                    }
                } else if (!inFlight.tryAcquire()) {
                    skipped++;
                    continue;
                }
                sent++;
                send(template).whenComplete((r, e) -> {
                    if (e == null && r.statusCode() / 100 == 2) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                    inFlight.release();
                });
            }
        }
        if (!inFlight.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
            System.err.println("load: publishes still in flight after 60 s");
        } else {
            inFlight.release(maxInFlight);
        }
        return new Result(sent, ok.get(), failed.get(), skipped);
    }

    @Override
    public void close() {
        client.close();
    }
}
