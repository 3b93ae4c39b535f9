package dev.runnel.internal;

import dev.runnel.BadRequestException;
import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.JsonCodec;
import dev.runnel.RenderException;
import dev.runnel.RequestContext;
import dev.runnel.SseEvent;
import dev.runnel.StreamOptions;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.SlowClientPolicy;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hub in one process. One lock orders everything: a publish takes the next sequence number,
 * encodes the event with its id, appends it to the topic's replay buffer and hands the same bytes
 * to every subscriber's queue without blocking; a subscribe takes its replay and registers under the
 * same lock, so no event falls between the replay and the live stream, and none comes twice.
 *
 * <p>Formatting (template rendering, JSON) happens before the lock; only encoding and the
 * non-blocking hand-offs happen under it.
 */
public final class InMemoryHub implements Hub {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Longest Last-Event-ID looked at; longer is malformed. */
    static final int MAX_ID_LENGTH = 128;

    private final ValueFormatter formatter;
    private final JsonCodec json;
    private final HubOptions options;
    private final EngineMetrics metrics;
    private final String epoch;
    /** {@code options.replayAge()} in nanoseconds, saturated: a replay age of centuries means forever. */
    private final long replayAgeNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Topic> topics = new HashMap<>();
    private long seq;
    /** Highest sequence number ever dropped from a topic that no longer exists. */
    private long droppedWithTopics;

    public InMemoryHub(ValueFormatter formatter, JsonCodec json, HubOptions options) {
        this(formatter, json, options, EngineMetrics.NOOP);
    }

    /** A hub that reports replays and resets to {@code metrics}. */
    public InMemoryHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics) {
        this.formatter = formatter;
        this.json = json;
        this.options = options;
        this.metrics = metrics;
        this.epoch = Long.toString(System.currentTimeMillis(), 36);
        this.replayAgeNanos = saturatedNanos(options.replayAge());
    }

    @Override
    public HubOptions options() {
        return options;
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
        if (value instanceof SseEvent e && e.id() != null) {
            throw new IllegalArgumentException("the hub assigns event ids; publish the event without id (it had \"" + e.id() + "\")");
        }
        Prepared prepared;
        try {
            prepared = formatter.prepare(value, null);
        } catch (RenderException e) {
            throw e;
        } catch (Exception e) {
            throw new RenderException("cannot format the " + value.getClass().getSimpleName() + " published on " + topic + ": " + e.getMessage(), e);
        }
        List<Subscriber> slow = null;
        Published result;
        lock.lock();
        try {
            Topic t = topicFor(topic);
            long s = ++seq;
            String id = epoch + "-" + s;
            HubEvent published = new HubEvent(s, id, topic, prepared, System.nanoTime());
            t.append(published);
            int delivered = 0;
            for (Subscriber sub : t.subscribers) {
                if (sub.deliver(published)) {
                    delivered++;
                } else {
                    slow = slow == null ? new ArrayList<>() : slow;
                    slow.add(sub);
                }
            }
            result = new Published(id, delivered);
            if (slow != null) {
                slow.forEach(this::detachLocked);
            }
            pruneIfIdle(topic, t);
        } finally {
            lock.unlock();
        }
        if (slow != null) {
            slow.forEach(Subscriber::cutOff);
        }
        return result;
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
        return new EventStream.Subscribed(this, List.copyOf(unique), request.lastEventId().orElse(null), StreamOptions.DEFAULTS);
    }

    @Override
    public int subscribers(String topic) {
        lock.lock();
        try {
            Topic t = topics.get(topic);
            return t == null ? 0 : t.subscribers.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Integer> presence() {
        lock.lock();
        try {
            Map<String, Integer> counts = new TreeMap<>();
            topics.forEach((name, t) -> {
                if (!t.subscribers.isEmpty()) {
                    counts.put(name, t.subscribers.size());
                }
            });
            return counts;
        } finally {
            lock.unlock();
        }
    }

    /** Number of topics held (with subscribers or replayable events). */
    public int topicCount() {
        lock.lock();
        try {
            return topics.size();
        } finally {
            lock.unlock();
        }
    }

    /** A new subscriber's queue, bounded as the options say. */
    ValueChannel newChannel() {
        return new ValueChannel(options.maxQueuedEvents(), options.maxQueuedBytes(),
                v -> v instanceof HubEvent e ? e.size() : v instanceof ControlEvent c ? c.bytes().length : 0);
    }

    /**
     * Registers a subscriber: queues what it missed after {@code lastEventId} (or a reset event),
     * then makes it receive every new event of its topics. Atomic with respect to publishing.
     */
    void attach(Subscriber sub, String lastEventId) {
        Resume resume;
        lock.lock();
        try {
            resume = lastEventId == null ? Resume.NONE : replay(sub.topics, lastEventId);
            List<Object> first = resume.values();
            List<Topic> joined = new ArrayList<>(sub.topics.size());
            try {
                for (String topic : sub.topics) {
                    joined.add(topicFor(topic));
                }
            } catch (IllegalStateException full) {
                // all or nothing: drop the topics made for this subscriber before the refusal
                for (String topic : sub.topics) {
                    Topic t = topics.get(topic);
                    if (t != null) {
                        pruneIfIdle(topic, t);
                    }
                }
                throw full;
            }
            sub.channel.addAll(first);
            joined.forEach(t -> t.subscribers.add(sub));
        } finally {
            lock.unlock();
        }
        if (lastEventId != null) {
            resumed(sub, lastEventId, resume);
        }
    }

    /** What a subscriber coming back with a Last-Event-ID is given first: the events it missed, or a reset. */
    private record Resume(List<Object> values, String resetReason) {
        static final Resume NONE = new Resume(List.of(), null);
    }

    /** Reports a resume to the metrics and the flight recorder, outside the hub's lock. */
    private void resumed(Subscriber sub, String lastEventId, Resume resume) {
        if (resume.resetReason() != null) {
            metrics.reset(resume.resetReason());
        } else {
            metrics.replayed(resume.values().size());
        }
        FlightEvents.Replay event = new FlightEvents.Replay();
        if (event.shouldCommit()) {
            event.topics = String.join(",", sub.topics);
            event.lastEventId = lastEventId.length() > MAX_ID_LENGTH ? lastEventId.substring(0, MAX_ID_LENGTH) : lastEventId;
            event.events = resume.resetReason() == null ? resume.values().size() : 0;
            event.resetReason = resume.resetReason();
            event.commit();
        }
    }

    /** Removes a subscriber from its topics. Idempotent. */
    void detach(Subscriber sub) {
        lock.lock();
        try {
            detachLocked(sub);
        } finally {
            lock.unlock();
        }
    }

    private void detachLocked(Subscriber sub) {
        for (String topic : sub.topics) {
            Topic t = topics.get(topic);
            if (t != null) {
                t.subscribers.remove(sub);
                pruneIfIdle(topic, t);
            }
        }
    }

    /** The events after {@code lastEventId} on these topics, in id order; or one reset event. */
    private Resume replay(List<String> wanted, String lastEventId) {
        long last = parseSeq(lastEventId);
        if (last == MALFORMED) {
            return reset(lastEventId, "malformed");
        }
        if (last == UNKNOWN || last > seq) {
            return reset(lastEventId, "unknown");
        }
        List<HubEvent> missed = new ArrayList<>();
        for (String name : wanted) {
            Topic t = topics.get(name);
            if (t == null) {
                if (last < droppedWithTopics) {
                    return reset(lastEventId, "expired");
                }
                continue;
            }
            t.trimByAge();
            if (last < t.droppedThrough) {
                return reset(lastEventId, "expired");
            }
            for (HubEvent e : t.buffer) {
                if (e.seq() > last) {
                    missed.add(e);
                }
            }
        }
        missed.sort(Comparator.comparingLong(HubEvent::seq));
        return new Resume(new ArrayList<>(missed), null);
    }

    private static final long MALFORMED = -1;
    private static final long UNKNOWN = -2;

    private long parseSeq(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return MALFORMED;
        }
        int dash = id.lastIndexOf('-');
        if (dash <= 0 || dash == id.length() - 1) {
            return MALFORMED;
        }
        long value = 0;
        for (int i = dash + 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9' || i - dash > 18) {
                return MALFORMED;
            }
            value = value * 10 + (c - '0');
        }
        return id.substring(0, dash).equals(epoch) ? value : UNKNOWN;
    }

    /** The reset event: its id is the hub's current position, so the browser resumes from here next time. */
    private Resume reset(String lastEventId, String reason) {
        String shown = lastEventId.length() > MAX_ID_LENGTH ? lastEventId.substring(0, MAX_ID_LENGTH) : lastEventId;
        Map<String, Object> payload = new java.util.LinkedHashMap<>();
        payload.put("lastEventId", shown);
        payload.put("reason", reason);
        String data;
        try {
            data = json != null ? json.toJson(payload) : JsonText.object(payload);
        } catch (Exception e) {
            data = JsonText.object(payload);
        }
        LOG.log(Level.DEBUG, () -> "resetting a subscriber: Last-Event-ID " + shown + " is " + reason);
        return new Resume(List.of(ControlEvent.of(new SseEvent("runnel:reset", epoch + "-" + seq, null, data))), reason);
    }

    private Topic topicFor(String name) {
        Topic t = topics.get(name);
        if (t == null) {
            if (topics.size() >= options.maxTopics()) {
                topics.entrySet().removeIf(e -> {
                    e.getValue().trimByAge();
                    boolean idle = e.getValue().subscribers.isEmpty() && e.getValue().buffer.isEmpty();
                    if (idle) {
                        droppedWithTopics = Math.max(droppedWithTopics, e.getValue().droppedThrough);
                    }
                    return idle;
                });
                if (topics.size() >= options.maxTopics()) {
                    throw new IllegalStateException("the hub holds " + options.maxTopics()
                            + " topics, its maximum (HubOptions.maxTopics); refusing topic " + name);
                }
            }
            t = new Topic();
            // a topic made again may have had events under this name that are gone
            t.droppedThrough = droppedWithTopics;
            topics.put(name, t);
        }
        return t;
    }

    private void pruneIfIdle(String name, Topic t) {
        if (t.subscribers.isEmpty() && t.buffer.isEmpty()) {
            droppedWithTopics = Math.max(droppedWithTopics, t.droppedThrough);
            topics.remove(name);
        }
    }

    private static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static String invalidTopic(String topic) {
        String shown = topic == null ? "null" : topic.length() > 40 ? topic.substring(0, 40) + "..." : topic;
        return "invalid topic name '" + shown.replaceAll("[\\r\\n]", "?") + "': use 1 to 128 of A-Z a-z 0-9 . _ : -";
    }

    /** One topic: its replay buffer and its subscribers. Guarded by the hub's lock. */
    private final class Topic {
        final ArrayDeque<HubEvent> buffer = new ArrayDeque<>();
        final Set<Subscriber> subscribers = new LinkedHashSet<>();
        /** Highest sequence number dropped from the buffer: a resume from before it would miss events. */
        long droppedThrough;

        void append(HubEvent e) {
            buffer.addLast(e);
            while (buffer.size() > options.replayCount()) {
                droppedThrough = buffer.removeFirst().seq();
            }
            trimByAge();
        }

        void trimByAge() {
            long oldest = System.nanoTime() - replayAgeNanos;
            while (!buffer.isEmpty() && buffer.peekFirst().publishedNanos() - oldest < 0) {
                droppedThrough = buffer.removeFirst().seq();
            }
        }
    }

    /** One subscribed connection. */
    static final class Subscriber {
        final List<String> topics;
        final ValueChannel channel;
        final SlowClientPolicy policy;
        final Runnable onSlow;

        Subscriber(List<String> topics, ValueChannel channel, SlowClientPolicy policy, Runnable onSlow) {
            this.topics = topics;
            this.channel = channel;
            this.policy = policy;
            this.onSlow = onSlow;
        }

        /** Queues the event without blocking; false when the subscriber must be cut off. */
        boolean deliver(HubEvent e) {
            ValueChannel.Offer offer = channel.offer(e);
            if (offer == ValueChannel.Offer.FULL && policy == SlowClientPolicy.COALESCE_BY_EVENT_NAME) {
                offer = channel.offerReplacing(e, queued -> queued instanceof HubEvent h && Objects.equals(h.event(), e.event()));
            }
            return offer != ValueChannel.Offer.FULL;
        }

        void cutOff() {
            onSlow.run();
        }
    }
}
