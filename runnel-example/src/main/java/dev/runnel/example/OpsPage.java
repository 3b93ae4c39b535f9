package dev.runnel.example;

import dev.runnel.EventStream;
import dev.runnel.Fragment;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.jackson.JacksonJson;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.micrometer.RunnelMetrics;
import dev.runnel.pebble.PebbleFragments;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The demo's operations side: a live page ({@code /ops}) fed over SSE by Runnel itself, health
 * endpoints for a load balancer ({@code /health}, {@code /health/live}, {@code /health/ready}) and a
 * Prometheus scrape endpoint ({@code /metrics}), all read from the engine's {@link RunnelMetrics}.
 */
final class OpsPage {

    /** The Prometheus text exposition format that {@code /metrics} answers in. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** How long the hub may take to answer the readiness probe. */
    static final Duration HUB_PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final String TEMPLATE = "ops/ops";
    private static final long CHART_NANOS = Duration.ofSeconds(60).toNanos();
    private static final long SAMPLE_NANOS = Duration.ofMillis(900).toNanos();
    private static final int MAX_TOPICS_SHOWN = 20;
    private static final int CHART_WIDTH = 600;
    private static final int CHART_HEIGHT = 150;

    private OpsPage() {
    }

    /** What the demo's engine reports to: Runnel's meters and a few of the JVM's, in a Prometheus registry. */
    static RunnelMetrics metrics() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new RunnelMetrics(registry);
    }

    /**
     * Adds {@code /ops}, {@code /sse/ops}, the health endpoints and {@code /metrics}.
     *
     * @throws IllegalStateException when the engine was not built with {@link #metrics()}
     */
    static void register(RunnelServer server, SseEngine engine, PebbleFragments fragments, Map<String, String> versions) {
        if (!(engine.metrics() instanceof RunnelMetrics metrics)
                || !(metrics.registry() instanceof PrometheusMeterRegistry prometheus)) {
            throw new IllegalStateException("the ops page reads the engine's metrics: build it with .metrics(OpsPage.metrics())");
        }
        Health health = new Health(engine);
        Sampler sampler = new Sampler(engine, prometheus);
        JacksonJson json = new JacksonJson();

        server.get("/ops", req -> {
            Map<String, Object> context = new LinkedHashMap<>(versions);
            context.putAll(sampler.view(health.check()));
            StringWriter out = new StringWriter();
            fragments.engine().getTemplate(TEMPLATE).evaluate(out, context);
            return HttpResponse.html(out.toString());
        });
        server.sse("/sse/ops", req -> EventStream.producer(out -> {
            while (true) {
                Map<String, Object> view = sampler.view(health.check());
                for (String panel : List.of("summary", "chart", "streams", "ends")) {
                    out.emit(Fragment.of(TEMPLATE, panel, view, panel));
                }
                Thread.sleep(1000);
            }
        }));

        server.get("/health", req -> health.response(health.check(), json));
        server.get("/health/ready", req -> health.response(health.check(), json));
        server.get("/health/live", req -> HttpResponse.json("{\"status\":\"UP\"}"));
        server.get("/metrics", req -> new HttpResponse(200, PROMETHEUS_TEXT,
                prometheus.scrape().getBytes(StandardCharsets.UTF_8), Map.of("Cache-Control", "no-store")));
    }

    /**
     * Liveness and readiness. Live while the process answers HTTP; ready while the engine accepts
     * streams and the hub says it is ready ({@link Hub#isReady()}) within {@link #HUB_PROBE_TIMEOUT}:
     * always in memory; on Redis, while the node reads its log and Redis answers a ping.
     */
    static final class Health {
        private final SseEngine engine;

        Health(SseEngine engine) {
            this.engine = engine;
        }

        /** One check's outcome; {@code detail} says why it is down, or what answered. */
        record Check(String name, boolean up, String detail) {
        }

        /** All checks; ready when every one is up. */
        record Report(List<Check> checks) {
            boolean ready() {
                return checks.stream().allMatch(Check::up);
            }
        }

        Report check() {
            Check accepting = engine.isStopping()
                    ? new Check("engine", false, "shutting down: new streams are refused")
                    : new Check("engine", true, engine.openStreams() + " open streams");
            return new Report(List.of(accepting, probeHub(engine.hub())));
        }

        private static Check probeHub(Hub hub) {
            String backend = hub.toString();
            long start = System.nanoTime();
            CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(hub::isReady,
                    task -> Thread.ofVirtual().name("runnel-health-probe").start(task));
            try {
                if (!answer.get(HUB_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return new Check("hub", false, backend + " is not ready: its log cannot be read");
                }
                return new Check("hub", true, String.format(Locale.ROOT, "%s answered in %.2f ms", backend,
                        (System.nanoTime() - start) / 1e6));
            } catch (TimeoutException e) {
                answer.cancel(true);
                return new Check("hub", false, backend + " did not answer within " + HUB_PROBE_TIMEOUT.toMillis() + " ms");
            } catch (ExecutionException e) {
                return new Check("hub", false, backend + " failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Check("hub", false, "interrupted while probing " + backend);
            }
        }

        /** {@code 200} when ready, else {@code 503}, with every check in the body. */
        HttpResponse response(Report report, JacksonJson json) {
            Map<String, Object> checks = new LinkedHashMap<>();
            for (Check c : report.checks()) {
                Map<String, Object> check = new LinkedHashMap<>();
                check.put("status", c.up() ? "UP" : "DOWN");
                check.put("detail", c.detail());
                checks.put(c.name(), check);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", report.ready() ? "UP" : "DOWN");
            body.put("live", true);
            body.put("ready", report.ready());
            body.put("checks", checks);
            return new HttpResponse(report.ready() ? 200 : 503, "application/json",
                    json.toJson(body).getBytes(StandardCharsets.UTF_8), Map.of("Cache-Control", "no-store"));
        }
    }

    /**
     * Reads the meters once a second at most, whoever asks (every open ops page shares the samples),
     * and keeps a minute of them for the chart. Samples are taken only while a page is watching.
     */
    static final class Sampler {
        private final SseEngine engine;
        private final MeterRegistry registry;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Sample> history = new ArrayDeque<>();
        private double lastEvents;
        private double lastBytes;

        Sampler(SseEngine engine, MeterRegistry registry) {
            this.engine = engine;
            this.registry = registry;
        }

        /** One point of the chart. */
        record Sample(long atNanos, long open, double eventsPerSecond, double bytesPerSecond) {
        }

        /** Everything the page shows, as the template's context. */
        Map<String, Object> view(Health.Report health) {
            List<Sample> samples = sample();
            Sample now = samples.getLast();
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("open", now.open());
            view.put("eventsPerSecond", String.format(Locale.ROOT, "%.1f", now.eventsPerSecond()));
            view.put("bytesPerSecond", bytes(now.bytesPerSecond()) + "/s");
            view.put("queuedEvents", (long) gauge("runnel.queue.events"));
            view.put("queuedBytes", bytes(gauge("runnel.queue.bytes")));
            view.put("latency", latency());
            view.put("ready", health.ready());
            view.put("checks", health.checks().stream().map(c -> Map.of("name", c.name(), "up", c.up(), "detail", c.detail())).toList());
            view.putAll(chart(samples, now.atNanos()));

            List<Map<String, Object>> routes = new ArrayList<>();
            new TreeMap<>(byTag("runnel.streams.open", "route")).forEach((route, open) ->
                    routes.add(Map.of("route", route, "open", open.longValue())));
            view.put("routes", routes);
            Map<String, Integer> presence = engine.hub().presence();
            view.put("topics", presence.entrySet().stream().limit(MAX_TOPICS_SHOWN)
                    .map(e -> Map.of("topic", e.getKey(), "subscribers", e.getValue())).toList());
            view.put("moreTopics", Math.max(0, presence.size() - MAX_TOPICS_SHOWN));

            view.put("ended", nonZero(counters("runnel.streams.ended", "reason")));
            view.put("refused", nonZero(counters("runnel.streams.refused", "reason")));
            Map<String, Object> totals = new LinkedHashMap<>();
            totals.put("events written", (long) counter("runnel.events.written"));
            totals.put("bytes written", bytes(counter("runnel.bytes.written")));
            totals.put("heartbeats", (long) counter("runnel.heartbeats"));
            totals.put("render errors", (long) counter("runnel.render.errors"));
            totals.put("producer errors", (long) counter("runnel.producer.errors"));
            totals.put("replays", (long) counter("runnel.replays"));
            totals.put("resets", (long) counters("runnel.resets", "reason").values().stream().mapToDouble(Double::doubleValue).sum());
            view.put("totals", totals.entrySet().stream().map(e -> Map.of("name", e.getKey(), "value", e.getValue())).toList());
            return view;
        }

        /** Takes a sample unless the last one is recent; returns the minute of samples. */
        private List<Sample> sample() {
            lock.lock();
            try {
                long now = System.nanoTime();
                Sample last = history.peekLast();
                if (last == null || now - last.atNanos() >= SAMPLE_NANOS) {
                    double events = counter("runnel.events.written");
                    double bytes = counter("runnel.bytes.written");
                    double seconds = last == null ? 0 : (now - last.atNanos()) / 1e9;
                    long open = (long) byTag("runnel.streams.open", "route").values().stream().mapToDouble(Double::doubleValue).sum();
                    history.addLast(new Sample(now, open, seconds > 0 ? (events - lastEvents) / seconds : 0,
                            seconds > 0 ? (bytes - lastBytes) / seconds : 0));
                    lastEvents = events;
                    lastBytes = bytes;
                    while (now - history.peekFirst().atNanos() > CHART_NANOS) {
                        history.removeFirst();
                    }
                }
                return List.copyOf(history);
            } finally {
                lock.unlock();
            }
        }

        /** Two polylines over the last minute, each scaled to its own maximum. */
        private static Map<String, Object> chart(List<Sample> samples, long now) {
            long openMax = Math.max(1, samples.stream().mapToLong(Sample::open).max().orElse(1));
            double eventsMax = Math.max(1, samples.stream().mapToDouble(Sample::eventsPerSecond).max().orElse(1));
            StringBuilder open = new StringBuilder();
            StringBuilder events = new StringBuilder();
            for (Sample s : samples) {
                double x = CHART_WIDTH - (double) (now - s.atNanos()) / CHART_NANOS * CHART_WIDTH;
                open.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(s.open() / (double) openMax)));
                events.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(s.eventsPerSecond() / eventsMax)));
            }
            return Map.of("openPoints", open.toString().strip(), "eventsPoints", events.toString().strip(),
                    "openMax", openMax, "eventsMax", String.format(Locale.ROOT, "%.1f", eventsMax),
                    "width", CHART_WIDTH, "height", CHART_HEIGHT);
        }

        private static double y(double fraction) {
            return CHART_HEIGHT - 4 - fraction * (CHART_HEIGHT - 8);
        }

        /** Publish-to-write latency percentiles in milliseconds, or "no events yet". */
        private String latency() {
            Timer timer = registry.find("runnel.publish.latency").timer();
            if (timer == null || timer.count() == 0) {
                return "no hub events yet";
            }
            StringBuilder text = new StringBuilder();
            for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
                if (p.percentile() == 0.5 || p.percentile() == 0.99) {
                    text.append(text.isEmpty() ? "" : " / ").append(String.format(Locale.ROOT, "%.2f ms", p.value(TimeUnit.MILLISECONDS)));
                }
            }
            return text.toString();
        }

        private double counter(String name) {
            Counter c = registry.find(name).counter();
            return c == null ? 0 : c.count();
        }

        private double gauge(String name) {
            Gauge g = registry.find(name).gauge();
            return g == null ? 0 : g.value();
        }

        private Map<String, Double> byTag(String gauge, String tag) {
            Map<String, Double> values = new TreeMap<>();
            for (Gauge g : registry.find(gauge).gauges()) {
                values.merge(g.getId().getTag(tag), g.value(), Double::sum);
            }
            return values;
        }

        private Map<String, Double> counters(String name, String tag) {
            Map<String, Double> values = new TreeMap<>();
            for (Counter c : registry.find(name).counters()) {
                values.merge(c.getId().getTag(tag), c.count(), Double::sum);
            }
            return values;
        }

        private static List<Map<String, Object>> nonZero(Map<String, Double> counts) {
            return counts.entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> Map.<String, Object>of("name", e.getKey(), "count", e.getValue().longValue())).toList();
        }

        private static String bytes(double n) {
            if (n < 1024) {
                return String.format(Locale.ROOT, "%.0f B", n);
            }
            if (n < 1024 * 1024) {
                return String.format(Locale.ROOT, "%.1f KiB", n / 1024);
            }
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024 * 1024));
        }
    }
}
