package dev.runnel.internal;

import dev.runnel.JsonCodec;
import dev.runnel.SseEvent;
import dev.runnel.hub.HubOptions;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hub's topics in memory: each topic's replay buffer and its subscribers, the hub's position
 * (epoch and sequence), and the replay buffers' byte budget; trimming by count, age and bytes, and
 * replay from the buffers. In memory the store is the whole hub's state; on a log it holds what this
 * node has read.
 *
 * <p>One lock, {@link #lock}, guards all of it and orders everything the hub does: publishing,
 * registering and detaching subscribers, and applying what the log's reader read. Methods say when
 * they take it; the others must be called with it held.
 */
final class TopicStore {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Most events one {@link #trimExpired()} drops, so it holds the lock briefly; the rest go on the next. */
    private static final int TRIM_BATCH = 10_000;

    final ReentrantLock lock = new ReentrantLock();
    private final HubOptions options;
    private final JsonCodec json;
    /** The answers of matcher selectors, shared by every subscription. */
    final SelectorCache cache = new SelectorCache(SelectorCache.CAPACITY);
    /** Publishers' ids of the buffered events: each to the newest event that carries it. */
    private final Map<String, HubEvent> byId = new HashMap<>();
    /** {@code options.replayAge()} in nanoseconds, saturated: a replay age of centuries means forever. */
    private final long replayAgeNanos;
    private final Map<String, Topic> topics = new HashMap<>();
    /** Every topic's replay buffer together: the byte bound, and the oldest event of all. */
    private final ReplayBudget budget;
    /** Ids' first part: this run's, or the log's once read ({@code null} until then). */
    String epoch;
    /** In memory: the last sequence number handed out. On a log: the cut, the log's head at the last read. */
    long seq;
    /** The id of the newest event buffered (delivered), {@code null} before the first; written under the lock. */
    private volatile String lastEventId;
    /** Highest sequence number ever dropped from a topic that no longer exists. */
    private long droppedWithTopics;
    /** On a log: the highest sequence number this node may have missed, whatever its topic. */
    private long lostThrough;

    TopicStore(HubOptions options, JsonCodec json, boolean onLog) {
        this.options = options;
        this.json = json;
        this.epoch = onLog ? null : Long.toString(System.currentTimeMillis(), 36);
        this.replayAgeNanos = saturatedNanos(options.replayAge());
        this.budget = new ReplayBudget(options.maxReplayBytes(), options.maxHistory(), TopicStore::isBuffered);
    }

    /** {@code d} in nanoseconds, or {@link Long#MAX_VALUE} when it is too long for that. */
    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Drops the events older than the replay age from every topic, idle ones included, and the topics
     * left with nothing to keep. Takes the lock only when it is free (a busy hub is trimmed at a later
     * tick, and its busy topics trim themselves as they are appended to), so the engine's clock never
     * waits behind a fan-out.
     */
    void trimExpired() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            long oldest = System.nanoTime() - replayAgeNanos;
            for (int n = 0; n < TRIM_BATCH; n++) {
                HubEvent e = budget.oldest();
                if (e == null || (isBuffered(e) && e.publishedNanos() - oldest >= 0)) {
                    break;
                }
                dropOldest();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the replay buffers hold together, as {@link HubOptions#maxReplayBytes()} counts them. Takes the lock. */
    long replayBytes() {
        lock.lock();
        try {
            return budget.bytes();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the replay budget keeps reachable, events no longer buffered included. For tests. Takes the lock. */
    long referencedReplayBytes() {
        lock.lock();
        try {
            return budget.referencedBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Number of topics held (with subscribers, waiting ones, or replayable events). Takes the lock. */
    int topicCount() {
        lock.lock();
        try {
            return topics.size();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the oldest buffered events, whatever their topic, until the buffers fit the bounds (bytes, events). */
    private void fitBudget() {
        while (budget.over() && budget.oldest() != null) {
            dropOldest();
        }
    }

    /**
     * Takes the oldest entry off the budget's order and, if it is still buffered (then first in each
     * buffer that holds it, since it is the oldest buffered event of all), drops it from them, and
     * their topics if nothing keeps them any more.
     */
    private void dropOldest() {
        HubEvent e = budget.pollOldest();
        if (e.buffers == 0) {
            return;
        }
        for (String name : e.topics()) {
            Topic t = topics.get(name);
            if (t != null && t.buffer.peekFirst() == e) {
                t.removeFirst();
                pruneIfIdle(name, t);
            }
        }
    }

    /** True while {@code e} is in a topic's buffer. */
    private static boolean isBuffered(HubEvent e) {
        return e.buffers > 0;
    }

    /**
     * Buffers {@code e} in each of {@code joined} (its topics, as {@link #joinAll} made them, or those of
     * them the hub could hold), indexes
     * its publisher's id, then trims: each of those topics by count and age, the whole hub by bytes and
     * events. A buffer that ends up empty and unsubscribed is dropped.
     */
    void buffer(HubEvent e, List<Topic> joined) {
        lastEventId = e.id();
        for (Topic t : joined) {
            t.buffer.addLast(e);
            if (e.buffers++ == 0) {
                budget.added(e);
                if (e.publisherId() != null) {
                    byId.put(e.publisherId(), e);
                }
            }
        }
        for (Topic t : joined) {
            while (t.buffer.size() > options.replayCount()) {
                t.removeFirst();
            }
            t.trimByAge();
        }
        fitBudget();
        for (Topic t : joined) {
            pruneIfIdle(t.name, t);
        }
    }

    /** The id of the newest event delivered, {@code null} before the first. Any thread, no lock. */
    String lastEventId() {
        return lastEventId;
    }

    /** The newest buffered event with the publisher's id {@code id}, or {@code null}. */
    HubEvent byPublisherId(String id) {
        return byId.get(id);
    }

    /** The highest sequence number dropped from every topic that no longer exists, and lost otherwise. */
    long droppedWithTopics() {
        return droppedWithTopics;
    }

    /** Events at or below {@code s} may be gone from any topic without a trace (the log dropped them unread). */
    void lostThrough(long s) {
        lostThrough = Math.max(lostThrough, s);
    }

    /** The highest sequence number that may be missing from any topic: no resume from before it is whole. */
    long lostThrough() {
        return lostThrough;
    }

    /** The topic of that name, or {@code null}. */
    Topic topic(String name) {
        return topics.get(name);
    }

    /** Every topic held, by name (a live view). */
    Map<String, Topic> topics() {
        return topics;
    }

    /** Forgets every buffered event, and every topic without subscribers: the log they came from lost data. */
    void clear() {
        topics.values().forEach(t -> {
            t.buffer.forEach(e -> e.buffers = 0);
            t.buffer.clear();
            t.droppedThrough = 0;
        });
        topics.values().removeIf(Topic::idle);
        budget.clear();
        byId.clear();
        lastEventId = null; // the ids before are gone with the log's data
        droppedWithTopics = 0;
        lostThrough = 0;
    }

    /** The topic, made when missing; when {@code maxTopics} are held, idle ones are swept first. */
    Topic topicFor(String name) {
        return topicFor(name, List.of());
    }

    /**
     * As above, sweeping none of {@code keep}: topics just made for the same update or subscriber, idle
     * until it uses them, which a sweep would leave out of the hub's reach.
     */
    Topic topicFor(String name, List<Topic> keep) {
        Topic t = topics.get(name);
        if (t == null) {
            if (topics.size() >= options.maxTopics()) {
                topics.entrySet().removeIf(e -> {
                    if (keep.contains(e.getValue())) {
                        return false;
                    }
                    e.getValue().trimByAge();
                    boolean idle = e.getValue().idle();
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
            t = new Topic(name);
            // a topic made again may have had events under this name that are gone
            t.droppedThrough = droppedWithTopics;
            topics.put(name, t);
        }
        return t;
    }

    /** Drops the topic if nothing keeps it any more. */
    void pruneIfIdle(String name, Topic t) {
        if (t.idle() && topics.get(name) == t) {
            droppedWithTopics = Math.max(droppedWithTopics, t.droppedThrough);
            topics.remove(name);
        }
    }

    /** The topics, made where missing; all or nothing when {@code maxTopics} refuses one. */
    List<Topic> joinAll(List<String> names) {
        List<Topic> joined = new ArrayList<>(names.size());
        try {
            for (String topic : names) {
                joined.add(topicFor(topic, joined));
            }
        } catch (IllegalStateException full) {
            // drop the topics made for this subscriber before the refusal
            for (String topic : names) {
                Topic t = topics.get(topic);
                if (t != null) {
                    pruneIfIdle(topic, t);
                }
            }
            throw full;
        }
        return joined;
    }

    /** The reset event: its id is the hub's current position, so the browser resumes from here next time. */
    Resume reset(String lastEventId, String reason) {
        String shown = EventId.shown(lastEventId);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("lastEventId", shown);
        payload.put("reason", reason);
        String data;
        try {
            data = json != null ? json.toJson(payload) : JsonText.object(payload);
        } catch (Throwable e) { // the user's codec: whatever it throws, the reset goes out in Runnel's own JSON
            data = JsonText.object(payload);
        }
        LOG.log(Level.DEBUG, () -> "resetting a subscriber: Last-Event-ID " + shown + " is " + reason);
        return new Resume(List.of(ControlEvent.of(new SseEvent("runnel:reset", epoch + "-" + seq, null, data))), reason);
    }

    /** One topic: its replay buffer and its exact subscribers. Guarded by the store's lock. */
    final class Topic {
        final String name;
        final ArrayDeque<HubEvent> buffer = new ArrayDeque<>();
        final Set<Subscriber> subscribers = new LinkedHashSet<>();
        /** Highest sequence number dropped from the buffer: a resume from before it would miss events. */
        long droppedThrough;

        Topic(String name) {
            this.name = name;
        }

        /** Nothing keeps it: no subscriber, nothing to replay. */
        boolean idle() {
            return subscribers.isEmpty() && buffer.isEmpty();
        }

        void trimByAge() {
            long oldest = System.nanoTime() - replayAgeNanos;
            while (!buffer.isEmpty() && buffer.peekFirst().publishedNanos() - oldest < 0) {
                removeFirst();
            }
        }

        /**
         * Drops the oldest buffered event; every event leaves a buffer here, and leaves the budget and the
         * index when it leaves its last buffer, so each counts exactly once.
         */
        void removeFirst() {
            HubEvent e = buffer.removeFirst();
            droppedThrough = Math.max(droppedThrough, e.seq());
            if (--e.buffers == 0) {
                budget.removed(e);
                if (e.publisherId() != null) {
                    byId.remove(e.publisherId(), e);
                }
            }
        }
    }
}
