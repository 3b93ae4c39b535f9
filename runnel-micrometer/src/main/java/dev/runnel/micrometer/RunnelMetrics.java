package dev.runnel.micrometer;

import dev.runnel.EngineMetrics;
import dev.runnel.SseEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runnel's counts as Micrometer meters, for Spring Boot's actuator, a Prometheus scrape or any other
 * Micrometer registry. Install one per engine:
 *
 * <pre>{@code
 * SseEngine engine = SseEngine.builder().metrics(new RunnelMetrics(registry)).build();
 * }</pre>
 *
 * <p>The meters ({@code runnel.streams.open}, {@code runnel.streams.ended}, {@code runnel.events.written},
 * {@code runnel.publish.latency}, ...) are listed in docs/OBSERVABILITY.md. They are
 * fed by the engine's {@link EngineMetrics} calls, from the same places that decide how a stream
 * goes, so they cannot disagree with what happened.
 *
 * <p>Tag values are bounded: {@code reason} takes a fixed set of values; {@code route} is the
 * route's pattern ({@code /sse/topic/{name}}), not the request path, and after {@code maxRoutes}
 * distinct routes further ones are tagged {@code other}; {@code topic} exists only for topics that
 * have subscribers on this node, so there are at most as many as the hub holds topics
 * ({@code HubOptions.maxTopics}, default 10,000) and a topic's gauge is removed when its last
 * subscriber leaves. Thread-safe.
 */
public final class RunnelMetrics implements EngineMetrics {

    /** Distinct {@code route} tags kept by default before further routes are tagged {@code other}. */
    public static final int DEFAULT_MAX_ROUTES = 100;
    /** The {@code route} tag of streams on routes beyond the limit. */
    public static final String OTHER_ROUTE = "other";

    private final MeterRegistry registry;
    private final Tags tags;
    private final int maxRoutes;
    private final AtomicReference<SseEngine> engine = new AtomicReference<>();
    private final Map<EndReason, Counter> ended = new EnumMap<>(EndReason.class);
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Map<String, Counter> resets = new ConcurrentHashMap<>();
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final ReentrantLock topicLock = new ReentrantLock();
    /** Topics with subscribed streams open on this node; guarded by {@link #topicLock}. */
    private final Map<String, TopicGauge> topics = new HashMap<>();
    private final Counter eventsWritten;
    private final Counter bytesWritten;
    private final Counter heartbeats;
    private final Counter renderErrors;
    private final Counter producerErrors;
    private final Counter replays;
    private final Counter replayedEvents;
    private final Counter failedHandOffs;
    private final Timer publishLatency;

    /** Meters in {@code registry}, with no extra tags. */
    public RunnelMetrics(MeterRegistry registry) {
        this(registry, Tags.empty(), DEFAULT_MAX_ROUTES);
    }

    /**
     * Meters in {@code registry}.
     *
     * @param commonTags added to every meter, for example to tell two engines in one process apart
     * @param maxRoutes distinct {@code route} tag values before further routes are tagged {@code other}
     */
    public RunnelMetrics(MeterRegistry registry, Iterable<Tag> commonTags, int maxRoutes) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
        if (maxRoutes < 1) {
            throw new IllegalArgumentException("maxRoutes must be >= 1, got " + maxRoutes);
        }
        this.maxRoutes = maxRoutes;
        for (EndReason reason : EndReason.values()) {
            ended.put(reason, Counter.builder("runnel.streams.ended").tags(tags).tag("reason", reason.tag())
                    .description("Streams that ended, by why they ended").register(registry));
        }
        for (Refusal reason : Refusal.values()) {
            refused.put(reason, Counter.builder("runnel.streams.refused").tags(tags).tag("reason", reason.tag())
                    .description("Requests for a stream answered with an error status instead (503, 406, 400, 403, 500)")
                    .register(registry));
        }
        for (String reason : List.of("expired", "unknown", "malformed")) {
            resetCounter(reason);
        }
        eventsWritten = counter("runnel.events.written", "Events written to clients");
        bytesWritten = counter("runnel.bytes.written", "Bytes of the events written to clients");
        heartbeats = counter("runnel.heartbeats", "Heartbeat comments written to idle streams");
        renderErrors = counter("runnel.render.errors", "Values that failed to render; an error event was sent instead");
        producerErrors = counter("runnel.producer.errors", "Producers that threw; the stream got an error event and ended");
        replays = counter("runnel.replays", "Subscribers that resumed by Last-Event-ID and were given what they missed");
        replayedEvents = counter("runnel.replay.events", "Events written from the replay buffer to resuming subscribers");
        failedHandOffs = counter("runnel.hub.handoffs.failed",
                "Hub events that could not be handed to a subscriber's queue (the hand-off threw); each such subscriber was cut off");
        publishLatency = Timer.builder("runnel.publish.latency").tags(tags)
                .description("Time from a hub publish to the write of the event to a live subscriber")
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Registers the gauges that read the engine: {@code runnel.queue.events} and
     * {@code runnel.queue.bytes}.
     *
     * @throws IllegalStateException when this instance already reports another engine
     */
    @Override
    public void bind(SseEngine sseEngine) {
        if (!engine.compareAndSet(null, sseEngine)) {
            throw new IllegalStateException("this RunnelMetrics already reports an engine; make one per engine"
                    + " (with a common tag telling them apart)");
        }
        Gauge.builder("runnel.queue.events", sseEngine, SseEngine::queuedEvents).tags(tags)
                .description("Values waiting in the outbound queues of all open streams").register(registry);
        Gauge.builder("runnel.queue.bytes", sseEngine, SseEngine::queuedBytes).tags(tags)
                .description("Bytes waiting in the outbound queues of all open hub subscriptions").register(registry);
    }

    @Override
    public void streamOpened(String route, List<String> streamTopics) {
        route(route).open().incrementAndGet();
        for (String topic : streamTopics) {
            subscribed(topic);
        }
    }

    @Override
    public void streamEnded(String route, List<String> streamTopics, EndReason reason, long durationNanos, long events, long bytes) {
        RouteMeters meters = route(route);
        meters.open().decrementAndGet();
        meters.duration().record(durationNanos, TimeUnit.NANOSECONDS);
        ended.get(reason).increment();
        for (String topic : streamTopics) {
            unsubscribed(topic);
        }
    }

    @Override
    public void streamRefused(String route, Refusal reason) {
        refused.get(reason).increment();
    }

    @Override
    public void eventsWritten(int events, long bytes) {
        eventsWritten.increment(events);
        bytesWritten.increment(bytes);
    }

    @Override
    public void heartbeat() {
        heartbeats.increment();
    }

    @Override
    public void renderError() {
        renderErrors.increment();
    }

    @Override
    public void producerError() {
        producerErrors.increment();
    }

    @Override
    public void publishToWrite(long nanos) {
        publishLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void replayed(int events) {
        replays.increment();
        replayedEvents.increment(events);
    }

    @Override
    public void handOffsFailed(int subscribers) {
        failedHandOffs.increment(subscribers);
    }

    @Override
    public void reset(String reason) {
        resetCounter(reason).increment();
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).tags(tags).description(description).register(registry);
    }

    private Counter resetCounter(String reason) {
        return resets.computeIfAbsent(reason, r -> Counter.builder("runnel.resets").tags(tags).tag("reason", r)
                .description("Subscribers whose Last-Event-ID could not be resumed from; they got the reset event")
                .register(registry));
    }

    /** The meters of one route; routes beyond {@link #maxRoutes} share those of {@link #OTHER_ROUTE}. */
    private RouteMeters route(String route) {
        RouteMeters meters = routes.get(route);
        if (meters != null) {
            return meters;
        }
        String tag = routes.size() >= maxRoutes ? OTHER_ROUTE : route;
        return routes.computeIfAbsent(tag, this::routeMeters);
    }

    private RouteMeters routeMeters(String route) {
        AtomicLong open = new AtomicLong();
        Gauge.builder("runnel.streams.open", open, AtomicLong::get).tags(tags).tag("route", route)
                .description("Streams open now, by route").strongReference(true).register(registry);
        Timer duration = Timer.builder("runnel.streams.duration").tags(tags).tag("route", route)
                .description("How long streams lasted, by route").register(registry);
        return new RouteMeters(open, duration);
    }

    private void subscribed(String topic) {
        topicLock.lock();
        try {
            topics.computeIfAbsent(topic, this::topicGauge).streams().incrementAndGet();
        } finally {
            topicLock.unlock();
        }
    }

    private void unsubscribed(String topic) {
        topicLock.lock();
        try {
            TopicGauge gauge = topics.get(topic);
            if (gauge != null && gauge.streams().decrementAndGet() == 0) {
                topics.remove(topic);
                registry.remove(gauge.gauge());
            }
        } finally {
            topicLock.unlock();
        }
    }

    private TopicGauge topicGauge(String topic) {
        AtomicInteger streams = new AtomicInteger();
        Gauge gauge = Gauge.builder("runnel.hub.subscribers", streams, AtomicInteger::get).tags(tags).tag("topic", topic)
                .description("Subscribed streams open on this node, by hub topic").strongReference(true).register(registry);
        return new TopicGauge(gauge, streams);
    }

    private record RouteMeters(AtomicLong open, Timer duration) {
    }

    private record TopicGauge(Gauge gauge, AtomicInteger streams) {
    }
}
