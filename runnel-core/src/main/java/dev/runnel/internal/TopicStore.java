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
    /** On a log a topic is kept only while read, and read only while someone here subscribes. */
    private final boolean onLog;
    /** {@code options.replayAge()} in nanoseconds, saturated: a replay age of centuries means forever. */
    private final long replayAgeNanos;
    private final Map<String, Topic> topics = new HashMap<>();
    /** Every topic's replay buffer together: the byte bound, and the oldest event of all. */
    private final ReplayBudget budget;
    /** Ids' first part: this run's, or the log's once read ({@code null} until then). */
    String epoch;
    /** In memory: the last sequence number handed out. On a log: the cut, the log's head at the last read. */
    long seq;
    /** Highest sequence number ever dropped from a topic that no longer exists. */
    private long droppedWithTopics;

    TopicStore(HubOptions options, JsonCodec json, boolean onLog) {
        this.options = options;
        this.json = json;
        this.onLog = onLog;
        this.epoch = onLog ? null : Long.toString(System.currentTimeMillis(), 36);
        this.replayAgeNanos = saturatedNanos(options.replayAge());
        this.budget = new ReplayBudget(options.maxReplayBytes(), this::isBuffered);
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

    /** Drops the oldest buffered events, whatever their topic, until the buffers fit the byte bound. */
    private void fitReplayBytes() {
        while (budget.over() && budget.oldest() != null) {
            dropOldest();
        }
    }

    /**
     * Takes the oldest entry off the budget's order and, if it is still buffered (then first in its
     * topic's buffer), drops it, and its topic if nothing keeps that any more.
     */
    private void dropOldest() {
        HubEvent e = budget.pollOldest();
        Topic t = topics.get(e.topic());
        if (t != null && t.buffer.peekFirst() == e) {
            t.removeFirst();
            pruneIfIdle(e.topic(), t);
        }
    }

    /**
     * True while {@code e} is in its topic's buffer: a buffer loses events only from its front, and a
     * topic made again holds only newer events than the one it replaced.
     */
    private boolean isBuffered(HubEvent e) {
        Topic t = topics.get(e.topic());
        return t != null && !t.buffer.isEmpty()
                && e.seq() >= t.buffer.peekFirst().seq() && e.seq() <= t.buffer.peekLast().seq();
    }

    /** The topic of that name, or {@code null}. */
    Topic topic(String name) {
        return topics.get(name);
    }

    /** Every topic held, by name (a live view). */
    Map<String, Topic> topics() {
        return topics;
    }

    /** Forgets every topic and buffered event: the log they came from lost data. */
    void clear() {
        topics.clear();
        budget.clear();
    }

    /** The topic, made when missing; when {@code maxTopics} are held, idle ones are swept first. */
    Topic topicFor(String name) {
        Topic t = topics.get(name);
        if (t == null) {
            if (topics.size() >= options.maxTopics()) {
                topics.entrySet().removeIf(e -> {
                    e.getValue().trimByAge();
                    boolean idle = e.getValue().idle();
                    if (idle) {
                        e.getValue().clearBuffer(); // on a log an idle topic may still hold events
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

    /** Drops the topic if nothing keeps it any more. */
    void pruneIfIdle(String name, Topic t) {
        if (t.idle()) {
            t.clearBuffer(); // on a log an idle topic may still hold events
            droppedWithTopics = Math.max(droppedWithTopics, t.droppedThrough);
            topics.remove(name);
        }
    }

    /** The topics, made where missing; all or nothing when {@code maxTopics} refuses one. */
    List<Topic> joinAll(List<String> names) {
        List<Topic> joined = new ArrayList<>(names.size());
        try {
            for (String topic : names) {
                joined.add(topicFor(topic));
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

    /** In memory: the events after {@code lastEventId} on these topics, in id order; or one reset event. */
    Resume replay(List<String> wanted, String lastEventId) {
        EventId parsed = EventId.parse(lastEventId);
        if (parsed == EventId.MALFORMED) {
            return reset(lastEventId, "malformed");
        }
        long last = parsed.epoch().equals(epoch) ? parsed.seq() : -1;
        if (last < 0 || last > seq) {
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

    /** One topic: its replay buffer, its subscribers and, on a log, those waiting. Guarded by the store's lock. */
    final class Topic {
        final ArrayDeque<HubEvent> buffer = new ArrayDeque<>();
        final Set<Subscriber> subscribers = new LinkedHashSet<>();
        /** Highest sequence number dropped from the buffer: a resume from before it would miss events. */
        long droppedThrough;
        /** On a log: the reader reads this topic, so the buffer holds every event after droppedThrough. */
        boolean live;
        /** On a log: subscribers waiting for the reader to serve them. */
        final Set<LogFollower.Pending> pending = new LinkedHashSet<>();

        /**
         * Nothing keeps it: no subscriber, and in memory nothing to replay. On a log a topic is kept
         * only while read, and read only while someone here subscribes: its buffer cannot be extended.
         */
        boolean idle() {
            return subscribers.isEmpty() && (onLog ? pending.isEmpty() : buffer.isEmpty());
        }

        /** Forgets the events through {@code s}: they are no longer all in the buffer. */
        void dropThrough(long s) {
            while (!buffer.isEmpty() && buffer.peekFirst().seq() <= s) {
                removeFirst();
            }
            droppedThrough = Math.max(droppedThrough, s);
        }

        /** Buffers {@code e}, then trims by count, by age, and the whole hub by bytes (which may drop this topic's events too). */
        void append(HubEvent e) {
            buffer.addLast(e);
            budget.added(e);
            while (buffer.size() > options.replayCount()) {
                removeFirst();
            }
            trimByAge();
            fitReplayBytes();
        }

        void trimByAge() {
            long oldest = System.nanoTime() - replayAgeNanos;
            while (!buffer.isEmpty() && buffer.peekFirst().publishedNanos() - oldest < 0) {
                removeFirst();
            }
        }

        /** Empties the buffer. */
        void clearBuffer() {
            while (!buffer.isEmpty()) {
                removeFirst();
            }
        }

        /** Drops the oldest buffered event; every event leaves a buffer here, so the budget counts each exactly once. */
        void removeFirst() {
            HubEvent e = buffer.removeFirst();
            droppedThrough = Math.max(droppedThrough, e.seq());
            budget.removed(e);
        }
    }
}
