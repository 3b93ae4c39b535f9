package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hub on a {@link HubLog} (several nodes on Redis): the log gives the ids and orders the events.
 * A publish only appends to the log, and the node's one {@link LogReader} hands everything it reads
 * to {@link #apply}, in sequence order, which fans it out exactly as a local publish does.
 *
 * <p>The reader reads the topics that have subscribers here, all from one position, the <em>cut</em>
 * ({@link TopicStore#seq}): every event of those topics up to the cut has been delivered, none above
 * it. A subscriber whose topics are all read and whose {@code Last-Event-ID} this node's buffers
 * cover is served at once; any other waits (its stream open, heartbeating) until the reader's next
 * read also fetches what it missed from the log, and is registered in the same step, after that
 * read's events were delivered.
 */
final class LogFollower {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /**
     * Fewest entries per topic a log keeps, whatever the replay count: the reader must read an event
     * before retention removes it, so it may fall this far behind a burst on one topic.
     */
    static final int MIN_RETAIN = 1000;
    private static final Duration READY_PING = Duration.ofMillis(500);

    private final TopicStore store;
    private final SubscriberRegistry registry;
    private final FanOut fanOut;
    private final EngineMetrics metrics;
    private final HubLog log;
    private final LogReader reader;
    /** Entries per topic the log keeps: the replay count, and slack for a reader that falls behind. */
    private final int retain;
    private final int replayCount;
    private final long replayAgeMillis;

    LogFollower(TopicStore store, SubscriberRegistry registry, FanOut fanOut, EngineMetrics metrics, HubLog log,
                int replayCount, Duration replayAge) {
        this.store = store;
        this.registry = registry;
        this.fanOut = fanOut;
        this.metrics = metrics;
        this.log = log;
        this.reader = new LogReader(this, log);
        this.replayCount = replayCount;
        this.retain = Math.max(replayCount, MIN_RETAIN);
        this.replayAgeMillis = TopicStore.saturatedNanos(replayAge) == Long.MAX_VALUE ? Long.MAX_VALUE : replayAge.toMillis();
    }

    /** Starts reading the log. */
    void start() {
        reader.start();
    }

    /** Stops reading the log and closes it. */
    void close() {
        reader.stop();
        log.close();
    }

    /** True when the reader is connected and the log answers a ping in time. */
    boolean isReady() {
        return reader.connected() && log.ping(READY_PING);
    }

    @Override
    public String toString() {
        return "hub on " + log;
    }

    /** Appends to the log; this node's subscribers get it from the reader, in log order, like every other node's. */
    Published publish(String topic, Prepared prepared) {
        Map<String, String> fields = new HashMap<>(PreparedFields.of(prepared));
        fields.put(TOPICS_FIELD, topic);
        HubLog.Position at = log.append(fields, retain);
        return new Published(at.epoch() + "-" + at.seq(), registry.subscribers(topic));
    }

    /** Serves the subscriber from this node's buffers when they cover it, else queues it for the reader. */
    void attach(Subscriber sub, String lastEventId) {
        EventId asked = lastEventId == null ? null : EventId.parse(lastEventId);
        Resume served;
        store.lock.lock();
        try {
            served = serveLocally(sub, lastEventId, asked);
        } finally {
            store.lock.unlock();
        }
        if (served != null) {
            if (lastEventId != null) {
                served.report(metrics, sub, lastEventId);
            }
            return;
        }
        // A subscriber without an id whose topics are not read here yet starts at the log's head now,
        // so it misses nothing published after it subscribed; with the log down, where the reader resumes.
        EventId from = asked;
        if (lastEventId == null) {
            try {
                HubLog.Position head = log.head();
                from = new EventId(head.epoch(), head.seq());
            } catch (HubUnavailableException down) {
                from = null;
            }
        }
        store.lock.lock();
        try {
            List<TopicStore.Topic> joined = store.joinAll(sub.topics);
            registry.await(new Pending(sub, lastEventId, from), joined);
        } finally {
            store.lock.unlock();
        }
        reader.wake();
    }

    /**
     * Registers the subscriber with its replay when every topic is read here and the buffers hold
     * everything after its id; {@code null} when the log has to decide. Under the lock.
     */
    private Resume serveLocally(Subscriber sub, String lastEventId, EventId asked) {
        if (store.epoch == null) {
            return null; // the reader has not read the log yet
        }
        for (String name : sub.topics) {
            TopicStore.Topic t = store.topic(name);
            if (t == null || !t.live) {
                return null;
            }
        }
        Resume resume;
        if (asked == null) {
            resume = Resume.NONE;
        } else if (asked == EventId.MALFORMED) {
            resume = store.reset(lastEventId, "malformed");
        } else if (!asked.epoch().equals(store.epoch) || asked.seq() > store.seq) {
            return null; // another epoch, or newer than this node has read: the log knows
        } else {
            List<HubEvent> missed = new ArrayList<>();
            for (String name : sub.topics) {
                TopicStore.Topic t = store.topic(name);
                t.trimByAge();
                if (asked.seq() < t.droppedThrough) {
                    return null; // older than this node's buffer: the log may still hold it
                }
                for (HubEvent e : t.buffer) {
                    if (e.seq() > asked.seq()) {
                        missed.add(e);
                    }
                }
            }
            missed.sort(Comparator.comparingLong(HubEvent::seq));
            resume = new Resume(new ArrayList<>(missed), null);
        }
        sub.channel.addAll(resume.values());
        List<TopicStore.Topic> topics = new ArrayList<>(sub.topics.size());
        for (String name : sub.topics) {
            topics.add(store.topic(name));
        }
        registry.register(sub, topics);
        return resume;
    }

    /** The field of a log entry that holds its topic. */
    static final String TOPICS_FIELD = "to";

    /** A read, by topic (temporary bridge from the hub-wide log to the per-topic rounds). */
    record Batch(String epoch, long head, long nowMillis, Map<String, List<HubLog.Entry>> entries, Map<String, Long> trimmedThrough) {
    }

    /** Reads the round's topics from the hub-wide log. */
    Batch read(Round round) {
        long from = round.after().values().stream().mapToLong(Long::longValue).min().orElse(round.cut());
        HubLog.Batch raw = log.read(round.epoch(), from, Integer.MAX_VALUE);
        Map<String, List<HubLog.Entry>> entries = new HashMap<>();
        Map<String, Long> trimmed = new HashMap<>();
        for (HubLog.Entry e : raw.entries()) {
            String topic = e.fields().get(TOPICS_FIELD);
            Long after = round.after().get(topic);
            if (after != null && e.seq() > after) {
                entries.computeIfAbsent(topic, k -> new ArrayList<>()).add(e);
            }
        }
        round.after().keySet().forEach(t -> trimmed.put(t, raw.trimmedThrough()));
        return new Batch(raw.epoch(), raw.head(), raw.nowMillis(), entries, trimmed);
    }

    /** A subscriber waiting for the reader; {@code from} is {@code null} to start wherever the reader is. */
    record Pending(Subscriber sub, String lastEventId, EventId from) {
    }

    /**
     * What the reader reads next: from the cut, the topics that have subscribers or waiting ones here;
     * from further back, what the waiting ones missed.
     */
    record Round(String epoch, long cut, Map<String, Long> after, Map<String, TopicStore.Topic> read, List<Pending> work) {
    }

    /** The next read. */
    Round nextRound() {
        store.lock.lock();
        try {
            if (store.epoch == null) {
                return new Round(null, 0, Map.of(), Map.of(), List.of());
            }
            Map<String, Long> after = new HashMap<>();
            Map<String, TopicStore.Topic> read = new HashMap<>();
            store.topics().forEach((name, t) -> {
                if (!t.idle()) {
                    after.put(name, store.seq);
                    read.put(name, t);
                }
            });
            List<Pending> work = List.copyOf(registry.waiting());
            for (Pending p : work) {
                if (p.from() != null && p.from() != EventId.MALFORMED && p.from().epoch().equals(store.epoch)) {
                    for (String name : p.sub().topics) {
                        after.merge(name, p.from().seq(), Math::min);
                    }
                }
            }
            return new Round(store.epoch, store.seq, after, read, work);
        } finally {
            store.lock.unlock();
        }
    }

    /** What the reader waits on when a read brought nothing: the topics read here, from the cut. */
    record Watch(String epoch, long cut, List<String> topics, boolean pending) {
    }

    Watch watch() {
        store.lock.lock();
        try {
            List<String> read = new ArrayList<>();
            store.topics().forEach((name, t) -> {
                if (!t.idle()) {
                    read.add(name);
                }
            });
            return new Watch(store.epoch, store.seq, read, !registry.waiting().isEmpty());
        } finally {
            store.lock.unlock();
        }
    }

    /**
     * Hands what the reader read to the subscribers, in sequence order, then registers the waiting
     * subscribers of this round with what they missed. Returns whether anything happened, so the
     * reader reads again at once instead of waiting.
     */
    boolean apply(Round round, Batch batch) {
        Map<Long, HubEvent> made = events(batch); // decoded and encoded before the lock
        Set<Subscriber> cut = new LinkedHashSet<>();
        List<Runnable> reports = new ArrayList<>();
        List<FanOut.Delivery> handed = new ArrayList<>();
        boolean progressed;
        store.lock.lock();
        try {
            if (store.epoch == null) {
                store.epoch = batch.epoch();
                store.seq = batch.head();
                return true;
            }
            if (!batch.epoch().equals(store.epoch) || batch.head() < store.seq) {
                lostLog(batch, cut);
                progressed = true;
            } else {
                List<HubEvent> live = new ArrayList<>();
                for (Map.Entry<String, TopicStore.Topic> r : round.read().entrySet()) {
                    String name = r.getKey();
                    TopicStore.Topic t = store.topic(name);
                    if (t != r.getValue()) {
                        continue; // pruned, or made again, since the round began: the next round reads it
                    }
                    long trimmed = batch.trimmedThrough().getOrDefault(name, 0L);
                    if (!t.live) {
                        t.live = true;
                        t.clearBuffer();
                        t.droppedThrough = Math.max(round.cut(), trimmed);
                    } else if (trimmed > round.cut()) {
                        // retention removed events of this topic before this node read them
                        LOG.log(Level.WARNING, "the hub's log dropped events of topic " + name + " before this node read them "
                                + "(through " + trimmed + ", read up to " + round.cut() + "); cutting its "
                                + t.subscribers.size() + " subscriber(s) off so they resume from the log");
                        cut.addAll(t.subscribers);
                        t.dropThrough(trimmed);
                    }
                    for (HubLog.Entry entry : batch.entries().getOrDefault(name, List.of())) {
                        HubEvent e = made.get(entry.seq());
                        if (entry.seq() > round.cut() && e != null) {
                            live.add(e);
                        }
                    }
                }
                cut.forEach(registry::detachLocked);
                live.sort(Comparator.comparingLong(HubEvent::seq));
                for (HubEvent e : live) {
                    TopicStore.Topic t = store.topic(e.topic());
                    if (t != null && t.live) {
                        t.append(e);
                        FanOut.Delivery d = fanOut.deliver(t.subscribers, e);
                        if (d.inline()) {
                            List<Subscriber> slow = d.slow();
                            slow.forEach(registry::detachLocked);
                            cut.addAll(slow);
                        } else {
                            handed.add(d);
                        }
                    }
                    // handed over: should this round fail further on, the reader's next round starts after it
                    store.seq = e.seq();
                }
                store.seq = batch.head();
                for (Pending p : round.work()) {
                    if (!registry.isWaiting(p) || !allLive(p.sub().topics)) {
                        continue; // left meanwhile; or (never expected) a topic not read yet: the next round
                    }
                    Resume resume;
                    try {
                        resume = resolve(p, batch, made);
                        p.sub().channel.addAll(resume.values());
                        registry.serve(p); // still waiting until served: a throw leaves it whole for detachLocked
                        registry.stopWaiting(p);
                    } catch (Throwable t) {
                        // whatever failed, it costs only this subscriber, which must not stay half registered
                        registry.detachLocked(p.sub());
                        cut.add(p.sub());
                        QuietLog.log(LOG, Level.WARNING, "serving a subscriber waiting for the log's read failed; cutting it off", t);
                        continue;
                    }
                    if (p.lastEventId() != null) {
                        reports.add(() -> resume.report(metrics, p.sub(), p.lastEventId()));
                    }
                }
                progressed = !live.isEmpty() || !round.work().isEmpty();
            }
        } finally {
            store.lock.unlock();
            try {
                SubscriberRegistry.cutOff(cut);
            } finally {
                for (FanOut.Delivery d : handed) {
                    d.await();
                    List<Subscriber> slow = d.slow();
                    if (!slow.isEmpty()) {
                        registry.detachAll(slow);
                    }
                }
            }
        }
        reports.forEach(Runnable::run);
        return progressed;
    }

    private boolean allLive(List<String> names) {
        for (String name : names) {
            TopicStore.Topic t = store.topic(name);
            if (t == null || !t.live) {
                return false;
            }
        }
        return true;
    }

    /**
     * The log lost data (wiped, or restored from an older copy): this node's buffers and positions
     * mean nothing any more. Every subscriber is cut off; browsers reconnect, and their ids, from
     * the old epoch or beyond the new head, get the reset. Under the lock.
     */
    private void lostLog(Batch batch, Set<Subscriber> cut) {
        LOG.log(Level.WARNING, "the hub's log lost data (epoch " + store.epoch + " -> " + batch.epoch() + ", head " + store.seq
                + " -> " + batch.head() + "); ending this node's " + (store.topics().values().stream().mapToInt(t -> t.subscribers.size()).sum()
                + registry.waiting().size()) + " subscription(s) so clients reconnect and get the reset event");
        store.topics().values().forEach(t -> cut.addAll(t.subscribers));
        cut.addAll(registry.clearWaiting());
        store.clear();
        store.epoch = batch.epoch();
        store.seq = batch.head();
    }

    /** What a waiting subscriber missed, from the read that fetched it; or its reset. Under the lock. */
    private Resume resolve(Pending p, Batch batch, Map<Long, HubEvent> made) {
        EventId from = p.from();
        boolean asked = p.lastEventId() != null;
        if (from == EventId.MALFORMED) {
            return store.reset(p.lastEventId(), "malformed");
        }
        if (from == null) {
            return Resume.NONE;
        }
        if (!from.epoch().equals(store.epoch) || from.seq() > store.seq) {
            return asked ? store.reset(p.lastEventId(), "unknown") : Resume.NONE;
        }
        List<HubEvent> missed = new ArrayList<>();
        for (String name : p.sub().topics) {
            if (asked && batch.trimmedThrough().getOrDefault(name, 0L) > from.seq()) {
                return store.reset(p.lastEventId(), "expired");
            }
            int count = 0;
            for (HubLog.Entry entry : batch.entries().getOrDefault(name, List.of())) {
                if (entry.seq() <= from.seq()) {
                    continue;
                }
                if (asked && batch.nowMillis() - entry.publishedMillis() > replayAgeMillis) {
                    return store.reset(p.lastEventId(), "expired");
                }
                HubEvent e = made.get(entry.seq());
                if (e != null) {
                    missed.add(e);
                    count++;
                }
            }
            if (asked && count > replayCount) {
                return store.reset(p.lastEventId(), "expired");
            }
        }
        missed.sort(Comparator.comparingLong(HubEvent::seq));
        return new Resume(new ArrayList<>(missed), null);
    }

    /**
     * The events of a read, by sequence number, each decoded and encoded once; an entry this version
     * cannot decode is skipped with a warning. Publish times move to this node's clock by the log's.
     */
    private static Map<Long, HubEvent> events(Batch batch) {
        long receivedNanos = System.nanoTime();
        Map<Long, HubEvent> made = new HashMap<>();
        batch.entries().forEach((topic, entries) -> {
            for (HubLog.Entry entry : entries) {
                String id = batch.epoch() + "-" + entry.seq();
                try {
                    long age = Math.max(0, batch.nowMillis() - entry.publishedMillis());
                    made.put(entry.seq(), new HubEvent(entry.seq(), id, topic, PreparedFields.parse(entry.fields()),
                            receivedNanos - age * 1_000_000L));
                } catch (IllegalArgumentException unknown) {
                    LOG.log(Level.WARNING, "skipping event " + id + " of topic " + topic + ": " + unknown.getMessage());
                }
            }
        });
        return made;
    }
}
