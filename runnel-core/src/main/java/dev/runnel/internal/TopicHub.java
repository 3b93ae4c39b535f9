package dev.runnel.internal;

import dev.runnel.BadRequestException;
import dev.runnel.Dialect;
import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.JsonCodec;
import dev.runnel.RenderException;
import dev.runnel.RequestContext;
import dev.runnel.SseEvent;
import dev.runnel.StreamOptions;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.Resumed;
import dev.runnel.hub.Roster;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.hub.TopicSelector;
import dev.runnel.hub.Update;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runnel's {@link Hub}, in one process or on a shared {@link HubLog}: it checks what callers ask
 * (topic names, access, values), formats each published value once, and hands the work to its parts:
 * <ul>
 *   <li>{@link TopicStore}: the topics, their replay buffers and trimming, under the one lock that
 *       orders everything;</li>
 *   <li>{@link SubscriberRegistry}: who receives each topic's events;</li>
 *   <li>{@link PublishCombiner}: in memory, a publish takes the next sequence number, is buffered
 *       and handed to every subscriber's queue without blocking, by whoever holds the lock, with
 *       {@link FanOut} on the hub's own threads for large topics, which the publisher does not wait for;</li>
 *   <li>{@link LogFollower}: on a log, the log gives the ids and orders the events, and the node's
 *       {@link LogReader} applies what it reads.</li>
 * </ul>
 * A subscribe takes its replay and registers under the store's lock, so no event falls between the
 * replay and the live stream, and none comes twice.
 *
 * <p>Formatting (template rendering, JSON) happens before the lock; only encoding and the
 * non-blocking hand-offs happen under it.
 */
public final class TopicHub implements Hub {

    /** How often the engine's clock calls {@link #trimExpired()}. */
    public static final Duration TRIM_PERIOD = Duration.ofSeconds(1);

    private final ValueFormatter formatter;
    private final HubOptions options;
    private final EngineMetrics metrics;
    private final TopicStore store;
    private final SubscriberRegistry registry;
    private final Replays replays;
    /** In memory: carries out publishes. */
    private final PublishCombiner combiner;
    /** On a log: publishes to it and applies what it reads; {@code null} when this process is the whole hub. */
    private final LogFollower follower;
    /** Hands events to subscribers; its threads are this hub's, stopped by {@link #close()}. */
    private final FanOut fanOut;

    public TopicHub(ValueFormatter formatter, JsonCodec json, HubOptions options) {
        this(formatter, json, options, EngineMetrics.NOOP);
    }

    /** A hub that reports replays, resets and failed hand-offs to {@code metrics}. */
    public TopicHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics) {
        this(formatter, json, options, metrics, null);
    }

    /**
     * A hub on {@code log} (when not {@code null}), which gives the ids and carries events between
     * nodes; call {@link #start()} to begin reading it.
     */
    public TopicHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics, HubLog log) {
        this(formatter, json, options, metrics, log, FanOut.DEFAULT_LANES);
    }

    /** As above, with {@code fanOutLanes} fan-out threads (0: every publisher hands events over itself). */
    TopicHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics, HubLog log, int fanOutLanes) {
        this(formatter, json, options, metrics, log, fanOutLanes, FanOut.MAX_BACKLOG);
    }

    /** As above; a publisher waits for the fan-out once more than {@code maxFanOutBacklog} hand-offs are queued. */
    TopicHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics, HubLog log, int fanOutLanes,
             long maxFanOutBacklog) {
        this.formatter = formatter;
        this.options = options;
        this.metrics = metrics;
        this.store = new TopicStore(options, json, log != null);
        this.registry = new SubscriberRegistry(store);
        this.fanOut = new FanOut(fanOutLanes, maxFanOutBacklog, metrics, registry::detachAll);
        this.replays = new Replays(store, options.publisherIds());
        this.combiner = log == null ? new PublishCombiner(store, registry, fanOut) : null;
        this.follower = log == null ? null : new LogFollower(store, registry, replays, fanOut, log, options);
    }

    /**
     * Drops the events older than the replay age from every topic, idle ones included, and the topics
     * left with nothing to keep. The engine's clock runs it; it never waits for the lock.
     */
    public void trimExpired() {
        store.trimExpired();
    }

    /** Bytes the replay buffers hold together, as {@link HubOptions#maxReplayBytes()} counts them. */
    long replayBytes() {
        return store.replayBytes();
    }

    /** Bytes the replay budget keeps reachable, events that left their buffers included. For tests. */
    long referencedReplayBytes() {
        return store.referencedReplayBytes();
    }

    /** Starts reading the log, if the hub has one. */
    public void start() {
        if (follower != null) {
            follower.start();
        }
    }

    /** Stops reading the log and closes it, if the hub has one, and stops the fan-out's threads. Idempotent. */
    public void close() {
        try {
            if (follower != null) {
                follower.close();
            }
        } finally {
            fanOut.close();
        }
    }

    @Override
    public boolean isReady() {
        return follower == null || follower.isReady();
    }

    @Override
    public String toString() {
        // the readiness detail of ops pages shows this name: kept as it was
        return follower == null ? "InMemoryHub" : follower.toString();
    }

    @Override
    public HubOptions options() {
        return options;
    }

    @Override
    public Optional<String> lastEventId() {
        return Optional.ofNullable(store.lastEventId());
    }

    @Override
    public Roster roster(String name, Roster.Listener listener) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a roster's name is 1 to 64 of A-Z a-z 0-9 . _ -, got " + name);
        }
        Objects.requireNonNull(listener, "listener");
        return follower == null ? Roster.ofThisNode() : follower.roster(name, listener);
    }

    @Override
    public Published publish(RequestContext publisher, String topic, Object value) {
        if (!Hub.isValidTopic(topic)) {
            throw new BadRequestException(invalidTopic(topic));
        }
        if (!options.access().mayPublish(publisher, topic)) {
            throw new ForbiddenException("not allowed to publish on topic " + topic);
        }
        if (value == null) {
            throw new BadRequestException("a published value must not be null");
        }
        try {
            return publish(topic, value);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    @Override
    public Published publish(String topic, Object value) {
        if (!Hub.isValidTopic(topic)) {
            throw new IllegalArgumentException(invalidTopic(topic));
        }
        Objects.requireNonNull(value, "a published value must not be null");
        return publishChecked(Update.of(topic, value));
    }

    @Override
    public Published publish(Update update) {
        checkUpdate(update, Hub.MAX_SERVER_TOPIC_LENGTH);
        return publishChecked(update);
    }

    @Override
    public Published publish(RequestContext publisher, Update update) {
        try {
            checkUpdate(update, Hub.MAX_TOPIC_LENGTH);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        for (String topic : update.topics()) {
            if (!options.access().mayPublish(publisher, topic)) {
                throw new ForbiddenException("not allowed to publish on topic " + UpdateChecks.shown(topic));
            }
        }
        try {
            return publishChecked(update);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    private void checkUpdate(Update update, int maxTopicLength) {
        UpdateChecks.topics(update.topics(), maxTopicLength);
        if (update.id() != null) {
            if (!options.publisherIds()) {
                throw new IllegalArgumentException("the hub assigns event ids (HubOptions.publisherIds is off); publish without id (it had \""
                        + UpdateChecks.shown(update.id()) + "\")");
            }
            UpdateChecks.id(update.id());
        }
    }

    /** Formats a checked update once and publishes it, in memory or on the log. */
    private Published publishChecked(Update update) {
        Object value = update.value();
        String topic = update.topic();
        if (value instanceof SseEvent e && e.id() != null) {
            throw new IllegalArgumentException("the hub assigns event ids; publish the event without id (it had \"" + e.id() + "\")");
        }
        Prepared prepared;
        try {
            prepared = formatter.prepare(value, null);
        } catch (RenderException e) {
            throw e;
        } catch (Exception e) {
            throw new RenderException("cannot format the " + value.getClass().getSimpleName() + " published on "
                    + UpdateChecks.shown(topic) + ": " + e.getMessage(), e);
        }
        SseEvent usual = framed(prepared, value, topic);
        List<String> topics = List.copyOf(new LinkedHashSet<>(update.topics()));
        Formatted formatted = new Formatted(topics, update.isPrivate(), update.id(), prepared, usual);
        if (follower != null) {
            return follower.publish(formatted);
        }
        return combiner.publish(formatted);
    }

    /** htmx swap styles Datastar has no mode for: valid, so published; a Datastar subscriber gets an error event in its place. */
    private static final Set<String> HTMX_ONLY_SWAPS = Set.of("textcontent", "none");

    /**
     * Frames a published value in every dialect before it takes an id, so one that some dialect cannot
     * carry (a swap no dialect knows, a codec that returned nothing) is the publisher's error and never
     * reaches a subscriber's writer. The exception: a swap style htmx has and Datastar lacks
     * ({@code textContent}, {@code none}) is published, and a Datastar subscriber gets an error event for
     * that one event. Returns the usual dialect's event, encoded under the lock.
     */
    private static SseEvent framed(Prepared prepared, Object value, String topic) {
        SseEvent usual = null;
        for (Dialect dialect : Dialect.values()) {
            SseEvent event;
            try {
                event = prepared.toEvent(dialect);
            } catch (IllegalArgumentException e) {
                if (htmxOnlySwap(prepared, dialect)) {
                    continue;
                }
                throw new IllegalArgumentException("cannot publish the " + value.getClass().getSimpleName() + " on " + UpdateChecks.shown(topic)
                        + ": subscribers using " + dialect + " could not receive it: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new RenderException("cannot format the " + value.getClass().getSimpleName() + " published on " + UpdateChecks.shown(topic)
                        + " for " + dialect + ": " + e, e);
            }
            if (dialect == Dialect.HTMX2) {
                usual = event;
            }
        }
        return usual;
    }

    private static boolean htmxOnlySwap(Prepared prepared, Dialect dialect) {
        return (dialect == Dialect.DATASTAR || dialect == Dialect.DATASTAR_BETA) && prepared instanceof Prepared.Html html
                && html.swap() != null && HTMX_ONLY_SWAPS.contains(html.swap().strip().split("\\s+", 2)[0].toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public EventStream subscribe(RequestContext request, Collection<String> wanted) {
        if (wanted.isEmpty()) {
            throw new BadRequestException("subscribe to at least one topic");
        }
        Set<String> unique = new LinkedHashSet<>(wanted);
        if (unique.size() > MAX_TOPICS_PER_STREAM) {
            throw new BadRequestException("at most " + MAX_TOPICS_PER_STREAM + " topics per stream, got " + unique.size());
        }
        for (String topic : unique) {
            if (!Hub.isValidTopic(topic)) {
                throw new BadRequestException(invalidTopic(topic));
            }
            if (!options.access().maySubscribe(request, topic)) {
                throw new ForbiddenException("not allowed to subscribe to topic " + topic);
            }
        }
        return subscribed(Selection.of(List.copyOf(unique)), request.lastEventId().orElse(null), false, true);
    }

    @Override
    public EventStream.Subscribed subscribe(RequestContext request, SubscribeRequest wanted) {
        Selection selection = UpdateChecks.selection(wanted, options.maxSelectors());
        for (String topic : selection.topics()) {
            if (!options.access().maySelect(request, TopicSelector.exact(topic))) {
                throw new ForbiddenException("not allowed to subscribe to topic " + UpdateChecks.shown(topic));
            }
        }
        for (TopicSelector s : selection.selectors()) {
            if (!options.access().maySelect(request, s)) {
                throw new ForbiddenException("not allowed to subscribe with selector " + s);
            }
        }
        return subscribed(selection, wanted.lastEventId(), wanted.earliest(), wanted.resetEvents());
    }

    /** A checked selection's stream, with where it resumes resolved now. */
    private EventStream.Subscribed subscribed(Selection selection, String lastEventId, boolean earliest, boolean resetEvents) {
        ResumePoint from;
        if (follower != null) {
            from = follower.resolve(selection, lastEventId, earliest);
        } else {
            store.lock.lock();
            try {
                from = replays.resolve(selection, lastEventId, earliest);
            } finally {
                store.lock.unlock();
            }
        }
        Subscription checked = new Subscription(this, selection, lastEventId, from, resetEvents);
        return new EventStream.Subscribed(checked, StreamOptions.DEFAULTS);
    }

    @Override
    public int subscribers(String topic) {
        return registry.subscribers(topic);
    }

    @Override
    public Map<String, Integer> presence() {
        return registry.presence();
    }

    /** Number of topics held (with subscribers or replayable events). */
    public int topicCount() {
        return store.topicCount();
    }

    /** A new subscriber's queue, bounded as the options say. */
    ValueChannel newChannel() {
        return new ValueChannel(options.maxQueuedEvents(), options.maxQueuedBytes(),
                v -> v instanceof HubEvent e ? e.size() : v instanceof ControlEvent c ? c.bytes().length : 0);
    }

    /**
     * Registers a subscriber: queues what it missed from {@code from} (or a reset event), then makes it
     * receive every new event it selects. Atomic with respect to publishing and to the log's reader.
     */
    void attach(Subscriber sub, ResumePoint from, String lastEventId, boolean resetEvents) {
        Resume resume;
        // FOUND was answered, events after it were dropped since, and no reset event may say so: a replay
        // now would have a gap nobody is told of, so it is ended instead; its client resumes and learns
        boolean gap;
        store.lock.lock();
        try {
            resume = replays.replay(sub.selection, from, lastEventId, resetEvents);
            gap = from.outcome() == Resumed.FOUND && !resetEvents && resume.resetReason() != null;
            if (!gap) {
                List<TopicStore.Topic> joined = store.joinAll(sub.topics);
                try {
                    sub.channel.addAll(resume.values());
                    registry.register(sub, joined);
                } catch (Throwable e) { // its queue, or an allocation: leave no registration and no topic made for it
                    registry.detachLocked(sub);
                    throw e;
                }
            }
        } finally {
            store.lock.unlock();
        }
        if (gap) {
            sub.cutOff();
        }
        if (from.outcome() != Resumed.NONE) {
            resume.report(metrics, sub, lastEventId == null ? "earliest" : lastEventId);
        }
    }

    /** Registers a subscriber of exact topics, resuming after {@code lastEventId}. For tests. */
    void attach(Subscriber sub, String lastEventId) {
        ResumePoint from;
        if (follower != null) {
            from = follower.resolve(sub.selection, lastEventId, false);
        } else {
            store.lock.lock();
            try {
                from = replays.resolve(sub.selection, lastEventId, false);
            } finally {
                store.lock.unlock();
            }
        }
        attach(sub, from, lastEventId, true);
    }

    /** Removes a subscriber from its topics. Idempotent. */
    void detach(Subscriber sub) {
        registry.detach(sub);
    }

    /** On a log, the part that follows it (for the log's reader and tests); {@code null} in memory. */
    LogFollower follower() {
        return follower;
    }

    private static String invalidTopic(String topic) {
        String shown = topic == null ? "null" : topic.length() > 40 ? topic.substring(0, 40) + "..." : topic;
        return "invalid topic name '" + shown.replaceAll("[\\r\\n]", "?") + "': use 1 to 128 of A-Z a-z 0-9 . _ : -";
    }
}
