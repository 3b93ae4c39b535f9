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
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;
import dev.runnel.hub.SlowClientPolicy;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hub in one process. One lock orders everything: a publish takes the next sequence number,
 * encodes the event with its id, appends it to the topic's replay buffer and hands the same bytes
 * to every subscriber's queue without blocking (on a large topic it queues the hand-offs on the hub's
 * own fan-out threads, each serving a fixed share of the subscribers in order, and waits for them
 * after it let go of the lock: see {@link FanOut}); a subscribe takes its replay and registers under
 * the same lock, so no event falls between the replay and the live stream, and none comes twice.
 *
 * <p>Publishes that wait for the lock are carried out by whoever holds it; each still gets its own
 * outcome (its id, or its own failure), and subscribers found too slow are cut off whatever fails.
 *
 * <p>Formatting (template rendering, JSON) happens before the lock; only encoding and the
 * non-blocking hand-offs happen under it.
 *
 * <p>With a {@link HubLog} (several nodes on Redis) the log gives the ids and orders the events: a
 * publish only appends to the log, and the node's one {@link LogReader} hands everything it reads to
 * {@link #apply}, in sequence order, which fans it out exactly as a local publish does. The reader
 * reads the topics that have subscribers here, all from one position, the <em>cut</em>: every event
 * of those topics up to the cut has been delivered, none above it. A subscriber whose topics are all
 * read and whose {@code Last-Event-ID} this node's buffers cover is served at once; any other waits
 * (its stream open, heartbeating) until the reader's next read also fetches what it missed from
 * the log, and is registered in the same step, after that read's events were delivered.
 */
public final class InMemoryHub implements Hub {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Longest Last-Event-ID looked at; longer is malformed. */
    static final int MAX_ID_LENGTH = 128;

    private final ValueFormatter formatter;
    private final JsonCodec json;
    private final HubOptions options;
    private final EngineMetrics metrics;
    /** The shared log, or {@code null} when this process is the whole hub. */
    private final HubLog log;
    private final LogReader reader;
    /** Entries per topic the log keeps: the replay count, and slack for a reader that falls behind. */
    private final int retain;
    /** Ids' first part: this run's, or the log's once read ({@code null} until then). Guarded by the lock. */
    private String epoch;
    /** {@code options.replayAge()} in nanoseconds, saturated: a replay age of centuries means forever. */
    private final long replayAgeNanos;
    private final long replayAgeMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Topic> topics = new HashMap<>();
    /** Publishes in memory that wait for the lock, in arrival order: see {@link Publication}. */
    private final Queue<Publication> publications = new ConcurrentLinkedQueue<>();
    /** In memory: the last sequence number handed out. On a log: the cut, the log's head at the last read. */
    private long seq;
    /** On a log: subscribers waiting for the reader to fetch what they missed, in arrival order. */
    private final Map<Subscriber, Pending> pending = new LinkedHashMap<>();
    /** Highest sequence number ever dropped from a topic that no longer exists. */
    private long droppedWithTopics;
    /** Every topic's replay buffer together: the byte bound, and the oldest event of all. */
    private final ReplayBudget budget;
    /** Hands events to subscribers; its threads are this hub's, stopped by {@link #close()}. */
    private final FanOut fanOut;

    public InMemoryHub(ValueFormatter formatter, JsonCodec json, HubOptions options) {
        this(formatter, json, options, EngineMetrics.NOOP);
    }

    /** A hub that reports replays and resets to {@code metrics}. */
    public InMemoryHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics) {
        this(formatter, json, options, metrics, null);
    }

    /**
     * A hub on {@code log} (when not {@code null}), which gives the ids and carries events between
     * nodes; call {@link #start()} to begin reading it.
     */
    public InMemoryHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics, HubLog log) {
        this(formatter, json, options, metrics, log, FanOut.DEFAULT_LANES);
    }

    /** As above, with {@code fanOutLanes} fan-out threads (0: every publisher hands events over itself). */
    InMemoryHub(ValueFormatter formatter, JsonCodec json, HubOptions options, EngineMetrics metrics, HubLog log, int fanOutLanes) {
        this.fanOut = new FanOut(fanOutLanes);
        this.formatter = formatter;
        this.json = json;
        this.options = options;
        this.metrics = metrics;
        this.log = log;
        this.reader = log == null ? null : new LogReader(this, log);
        this.retain = Math.max(options.replayCount(), MIN_RETAIN);
        this.epoch = log == null ? Long.toString(System.currentTimeMillis(), 36) : null;
        this.replayAgeNanos = saturatedNanos(options.replayAge());
        this.replayAgeMillis = replayAgeNanos == Long.MAX_VALUE ? Long.MAX_VALUE : options.replayAge().toMillis();
        this.budget = new ReplayBudget(options.maxReplayBytes(), this::isBuffered);
    }

    /** How often the engine's clock calls {@link #trimExpired()}. */
    public static final Duration TRIM_PERIOD = Duration.ofSeconds(1);
    /** Most events one {@link #trimExpired()} drops, so it holds the lock briefly; the rest go on the next. */
    private static final int TRIM_BATCH = 10_000;

    /**
     * Drops the events older than the replay age from every topic, idle ones included, and the topics
     * left with nothing to keep. The engine's clock runs it: it takes the lock only when the lock is
     * free (a busy hub is trimmed at a later tick, and its busy topics trim themselves as they are
     * appended to), so the clock never waits behind a fan-out.
     */
    public void trimExpired() {
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

    /** Bytes the replay buffers hold together, as {@link HubOptions#maxReplayBytes()} counts them. */
    long replayBytes() {
        lock.lock();
        try {
            return budget.bytes();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the oldest buffered events, whatever their topic, until the buffers fit the byte bound. Under the lock. */
    private void fitReplayBytes() {
        while (budget.over() && budget.oldest() != null) {
            dropOldest();
        }
    }

    /**
     * Takes the oldest entry off the budget's order and, if it is still buffered (then first in its
     * topic's buffer), drops it, and its topic if nothing keeps that any more. Under the lock.
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
     * topic made again holds only newer events than the one it replaced. Under the lock.
     */
    private boolean isBuffered(HubEvent e) {
        Topic t = topics.get(e.topic());
        return t != null && !t.buffer.isEmpty()
                && e.seq() >= t.buffer.peekFirst().seq() && e.seq() <= t.buffer.peekLast().seq();
    }

    /**
     * Fewest entries per topic a log keeps, whatever the replay count: the reader must read an event
     * before retention removes it, so it may fall this far behind a burst on one topic.
     */
    static final int MIN_RETAIN = 1000;

    /** Starts reading the log, if the hub has one. */
    public void start() {
        if (reader != null) {
            reader.start();
        }
    }

    /** Stops reading the log and closes it, if the hub has one, and stops the fan-out's threads. Idempotent. */
    public void close() {
        try {
            if (reader != null) {
                reader.stop();
                log.close();
            }
        } finally {
            fanOut.close();
        }
    }

    @Override
    public boolean isReady() {
        return log == null || (reader.connected() && log.ping(READY_PING));
    }

    private static final Duration READY_PING = Duration.ofMillis(500);

    @Override
    public String toString() {
        return log == null ? "InMemoryHub" : "hub on " + log;
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
        SseEvent usual = framed(prepared, value, topic);
        if (log != null) {
            HubLog.Position at = log.append(topic, PreparedFields.of(prepared), retain);
            // this node's subscribers get it from the reader, in log order, like every other node's
            return new Published(at.epoch() + "-" + at.seq(), subscribers(topic));
        }
        Publication mine = new Publication(topic, prepared, usual);
        publications.add(mine);
        List<Subscriber> slow = new ArrayList<>(0);
        lock.lock();
        try {
            // whoever holds the lock carries out every publication queued so far, in queue order;
            // each failure belongs to its own publication
            for (Publication next; (next = publications.poll()) != null; ) {
                try {
                    publishLocked(next, slow);
                } catch (RuntimeException | Error e) {
                    next.failure = e;
                }
            }
        } finally {
            lock.unlock();
            cutOff(slow);
        }
        return outcome(mine);
    }

    /**
     * What {@code p}'s publisher is told, once the lock is released: its failure, or its id and how
     * many took it, after the fan-out's threads handed it over (those too slow are cut off here).
     */
    private Published outcome(Publication p) {
        FanOut.Delivery delivery = p.delivery;
        if (delivery != null && !delivery.inline()) {
            delivery.await();
            List<Subscriber> slow = delivery.slow();
            if (!slow.isEmpty()) {
                detachAll(slow);
            }
        }
        if (p.failure instanceof RuntimeException e) {
            throw e;
        }
        if (p.failure instanceof Error e) {
            throw e;
        }
        return new Published(p.id, delivery.taken());
    }

    /** Detaches, then cuts off, subscribers the fan-out's threads found too slow. Outside the lock. */
    private void detachAll(List<Subscriber> slow) {
        try {
            lock.lock();
            try {
                slow.forEach(this::detachLocked);
            } finally {
                lock.unlock();
            }
        } finally {
            cutOff(slow);
        }
    }

    /** Tells each subscriber it was cut off; one whose callback throws keeps nobody else from being told. */
    private static void cutOff(Collection<Subscriber> subscribers) {
        for (Subscriber sub : subscribers) {
            try {
                sub.cutOff();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "cutting off a slow subscriber failed", e);
            }
        }
    }

    /**
     * Frames a published value in every dialect before it takes an id, so one that some dialect cannot
     * carry (a swap Datastar has no name for, a codec that returned nothing) is the publisher's error
     * and never reaches a subscriber's writer. Returns the usual dialect's event, encoded under the lock.
     */
    private static SseEvent framed(Prepared prepared, Object value, String topic) {
        SseEvent usual = null;
        for (Dialect dialect : Dialect.values()) {
            SseEvent event;
            try {
                event = prepared.toEvent(dialect);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot publish the " + value.getClass().getSimpleName() + " on " + topic
                        + ": subscribers using " + dialect + " could not receive it: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new RenderException("cannot format the " + value.getClass().getSimpleName() + " published on " + topic
                        + " for " + dialect + ": " + e, e);
            }
            if (dialect == Dialect.HTMX2) {
                usual = event;
            }
        }
        return usual;
    }

    /** Gives {@code p} its id, buffers it and hands it to the topic's subscribers. Under the lock. */
    private void publishLocked(Publication p, List<Subscriber> slow) {
        Topic t;
        try {
            t = topicFor(p.topic);
        } catch (RuntimeException refused) { // maxTopics: this publication fails, the others go on
            p.failure = refused;
            return;
        }
        long s = seq + 1;
        String id = epoch + "-" + s;
        HubEvent published = new HubEvent(s, id, p.topic, p.prepared, p.usual, System.nanoTime());
        seq = s; // taken only by an event that exists
        t.append(published);
        p.id = id;
        p.delivery = fanOut.deliver(t.subscribers, published);
        if (p.delivery.inline()) {
            for (Subscriber sub : p.delivery.slow()) {
                detachLocked(sub);
                slow.add(sub);
            }
        }
        pruneIfIdle(p.topic, t);
    }

    /**
     * A publish waiting for the lock. Publishers queue here and then take the lock, and the first to
     * get it carries out all that are queued: a publisher that waits for the lock (on a virtual
     * thread, behind every writer the last fan-out woke) then holds up nobody, since its event went
     * out with an earlier holder's. Its fields are written and read under the lock.
     */
    private static final class Publication {
        final String topic;
        final Prepared prepared;
        final SseEvent usual;
        String id;
        FanOut.Delivery delivery;
        Throwable failure;

        Publication(String topic, Prepared prepared, SseEvent usual) {
            this.topic = topic;
            this.prepared = prepared;
            this.usual = usual;
        }
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
        if (log != null) {
            attachOnLog(sub, lastEventId);
            return;
        }
        Resume resume;
        lock.lock();
        try {
            resume = lastEventId == null ? Resume.NONE : replay(sub.topics, lastEventId);
            List<Object> first = resume.values();
            List<Topic> joined = joinAll(sub.topics);
            sub.channel.addAll(first);
            joined.forEach(t -> t.subscribers.add(sub));
        } finally {
            lock.unlock();
        }
        if (lastEventId != null) {
            resumed(sub, lastEventId, resume);
        }
    }

    /** The topics, made where missing; all or nothing when {@code maxTopics} refuses one. Under the lock. */
    private List<Topic> joinAll(List<String> names) {
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

    // ---- on a log ---------------------------------------------------------------------------------

    /** Serves the subscriber from this node's buffers when they cover it, else queues it for the reader. */
    private void attachOnLog(Subscriber sub, String lastEventId) {
        LogId asked = lastEventId == null ? null : LogId.parse(lastEventId);
        Resume served;
        lock.lock();
        try {
            served = serveLocally(sub, lastEventId, asked);
        } finally {
            lock.unlock();
        }
        if (served != null) {
            if (lastEventId != null) {
                resumed(sub, lastEventId, served);
            }
            return;
        }
        // A subscriber without an id whose topics are not read here yet starts at the log's head now,
        // so it misses nothing published after it subscribed; with the log down, where the reader resumes.
        LogId from = asked;
        if (lastEventId == null) {
            try {
                HubLog.Position head = log.head();
                from = new LogId(head.epoch(), head.seq());
            } catch (HubUnavailableException down) {
                from = null;
            }
        }
        lock.lock();
        try {
            List<Topic> joined = joinAll(sub.topics);
            Pending p = new Pending(sub, lastEventId, from);
            pending.put(sub, p);
            joined.forEach(t -> t.pending.add(p));
        } finally {
            lock.unlock();
        }
        reader.wake();
    }

    /**
     * Registers the subscriber with its replay when every topic is read here and the buffers hold
     * everything after its id; {@code null} when the log has to decide. Under the lock.
     */
    private Resume serveLocally(Subscriber sub, String lastEventId, LogId asked) {
        if (epoch == null) {
            return null; // the reader has not read the log yet
        }
        for (String name : sub.topics) {
            Topic t = topics.get(name);
            if (t == null || !t.live) {
                return null;
            }
        }
        Resume resume;
        if (asked == null) {
            resume = Resume.NONE;
        } else if (asked == LogId.MALFORMED) {
            resume = reset(lastEventId, "malformed");
        } else if (!asked.epoch().equals(epoch) || asked.seq() > seq) {
            return null; // another epoch, or newer than this node has read: the log knows
        } else {
            List<HubEvent> missed = new ArrayList<>();
            for (String name : sub.topics) {
                Topic t = topics.get(name);
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
        for (String name : sub.topics) {
            topics.get(name).subscribers.add(sub);
        }
        return resume;
    }

    /** A subscriber waiting for the reader; {@code from} is {@code null} to start wherever the reader is. */
    record Pending(Subscriber sub, String lastEventId, LogId from) {
    }

    /**
     * What the reader reads next: from the cut, the topics that have subscribers or waiting ones here;
     * from further back, what the waiting ones missed.
     */
    record Round(String epoch, long cut, Map<String, Long> after, Map<String, Topic> read, List<Pending> work) {
    }

    /** The next read. */
    Round nextRound() {
        lock.lock();
        try {
            if (epoch == null) {
                return new Round(null, 0, Map.of(), Map.of(), List.of());
            }
            Map<String, Long> after = new HashMap<>();
            Map<String, Topic> read = new HashMap<>();
            topics.forEach((name, t) -> {
                if (!t.idle()) {
                    after.put(name, seq);
                    read.put(name, t);
                }
            });
            List<Pending> work = List.copyOf(pending.values());
            for (Pending p : work) {
                if (p.from() != null && p.from() != LogId.MALFORMED && p.from().epoch().equals(epoch)) {
                    for (String name : p.sub().topics) {
                        after.merge(name, p.from().seq(), Math::min);
                    }
                }
            }
            return new Round(epoch, seq, after, read, work);
        } finally {
            lock.unlock();
        }
    }

    /** What the reader waits on when a read brought nothing: the topics read here, from the cut. */
    record Watch(String epoch, long cut, List<String> topics, boolean pending) {
    }

    Watch watch() {
        lock.lock();
        try {
            List<String> read = new ArrayList<>();
            topics.forEach((name, t) -> {
                if (!t.idle()) {
                    read.add(name);
                }
            });
            return new Watch(epoch, seq, read, !pending.isEmpty());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands what the reader read to the subscribers, in sequence order, then registers the waiting
     * subscribers of this round with what they missed. Returns whether anything happened, so the
     * reader reads again at once instead of waiting.
     */
    boolean apply(Round round, HubLog.Batch batch) {
        Map<Long, HubEvent> made = events(batch); // decoded and encoded before the lock
        Set<Subscriber> cut = new LinkedHashSet<>();
        List<Runnable> reports = new ArrayList<>();
        List<FanOut.Delivery> handed = new ArrayList<>();
        boolean progressed;
        lock.lock();
        try {
            if (epoch == null) {
                epoch = batch.epoch();
                seq = batch.head();
                return true;
            }
            if (!batch.epoch().equals(epoch) || batch.head() < seq) {
                lostLog(batch, cut);
                progressed = true;
            } else {
                List<HubEvent> live = new ArrayList<>();
                for (Map.Entry<String, Topic> r : round.read().entrySet()) {
                    String name = r.getKey();
                    Topic t = topics.get(name);
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
                cut.forEach(this::detachLocked);
                live.sort(Comparator.comparingLong(HubEvent::seq));
                for (HubEvent e : live) {
                    Topic t = topics.get(e.topic());
                    if (t != null && t.live) {
                        t.append(e);
                        FanOut.Delivery d = fanOut.deliver(t.subscribers, e);
                        if (d.inline()) {
                            List<Subscriber> slow = d.slow();
                            slow.forEach(this::detachLocked);
                            cut.addAll(slow);
                        } else {
                            handed.add(d);
                        }
                    }
                    // handed over: should this round fail further on, the reader's next round starts after it
                    seq = e.seq();
                }
                seq = batch.head();
                for (Pending p : round.work()) {
                    if (pending.get(p.sub()) != p || !allLive(p.sub().topics)) {
                        continue; // left meanwhile; or (never expected) a topic not read yet: the next round
                    }
                    pending.remove(p.sub());
                    Resume resume = resolve(p, batch, made);
                    p.sub().channel.addAll(resume.values());
                    for (String name : p.sub().topics) {
                        Topic t = topics.get(name);
                        t.pending.remove(p);
                        t.subscribers.add(p.sub());
                    }
                    if (p.lastEventId() != null) {
                        reports.add(() -> resumed(p.sub(), p.lastEventId(), resume));
                    }
                }
                progressed = !live.isEmpty() || !round.work().isEmpty();
            }
        } finally {
            lock.unlock();
            try {
                cutOff(cut);
            } finally {
                for (FanOut.Delivery d : handed) {
                    d.await();
                    List<Subscriber> slow = d.slow();
                    if (!slow.isEmpty()) {
                        detachAll(slow);
                    }
                }
            }
        }
        reports.forEach(Runnable::run);
        return progressed;
    }

    private boolean allLive(List<String> names) {
        for (String name : names) {
            Topic t = topics.get(name);
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
    private void lostLog(HubLog.Batch batch, Set<Subscriber> cut) {
        LOG.log(Level.WARNING, "the hub's log lost data (epoch " + epoch + " -> " + batch.epoch() + ", head " + seq
                + " -> " + batch.head() + "); ending this node's " + (topics.values().stream().mapToInt(t -> t.subscribers.size()).sum()
                + pending.size()) + " subscription(s) so clients reconnect and get the reset event");
        topics.values().forEach(t -> cut.addAll(t.subscribers));
        cut.addAll(pending.keySet());
        topics.clear();
        budget.clear();
        pending.clear();
        epoch = batch.epoch();
        seq = batch.head();
    }

    /** What a waiting subscriber missed, from the read that fetched it; or its reset. Under the lock. */
    private Resume resolve(Pending p, HubLog.Batch batch, Map<Long, HubEvent> made) {
        LogId from = p.from();
        boolean asked = p.lastEventId() != null;
        if (from == LogId.MALFORMED) {
            return reset(p.lastEventId(), "malformed");
        }
        if (from == null) {
            return Resume.NONE;
        }
        if (!from.epoch().equals(epoch) || from.seq() > seq) {
            return asked ? reset(p.lastEventId(), "unknown") : Resume.NONE;
        }
        List<HubEvent> missed = new ArrayList<>();
        for (String name : p.sub().topics) {
            if (asked && batch.trimmedThrough().getOrDefault(name, 0L) > from.seq()) {
                return reset(p.lastEventId(), "expired");
            }
            int count = 0;
            for (HubLog.Entry entry : batch.entries().getOrDefault(name, List.of())) {
                if (entry.seq() <= from.seq()) {
                    continue;
                }
                if (asked && batch.nowMillis() - entry.publishedMillis() > replayAgeMillis) {
                    return reset(p.lastEventId(), "expired");
                }
                HubEvent e = made.get(entry.seq());
                if (e != null) {
                    missed.add(e);
                    count++;
                }
            }
            if (asked && count > options.replayCount()) {
                return reset(p.lastEventId(), "expired");
            }
        }
        missed.sort(Comparator.comparingLong(HubEvent::seq));
        return new Resume(new ArrayList<>(missed), null);
    }

    /**
     * The events of a read, by sequence number, each decoded and encoded once; an entry this version
     * cannot decode is skipped with a warning. Publish times move to this node's clock by the log's.
     */
    private static Map<Long, HubEvent> events(HubLog.Batch batch) {
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

    /** An id split in its epoch and sequence number. */
    record LogId(String epoch, long seq) {
        static final LogId MALFORMED = new LogId("", -1);

        /** {@code EPOCH-SEQ}, or {@link #MALFORMED}. */
        static LogId parse(String id) {
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
            return new LogId(id.substring(0, dash), value);
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
        Pending waiting = pending.remove(sub);
        for (String topic : sub.topics) {
            Topic t = topics.get(topic);
            if (t != null) {
                t.subscribers.remove(sub);
                if (waiting != null) {
                    t.pending.remove(waiting);
                }
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
        LogId parsed = LogId.parse(id);
        if (parsed == LogId.MALFORMED) {
            return MALFORMED;
        }
        return parsed.epoch().equals(epoch) ? parsed.seq() : UNKNOWN;
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

    private void pruneIfIdle(String name, Topic t) {
        if (t.idle()) {
            t.clearBuffer(); // on a log an idle topic may still hold events
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
        /** On a log: the reader reads this topic, so the buffer holds every event after droppedThrough. */
        boolean live;
        /** On a log: subscribers waiting for the reader to serve them. */
        final Set<Pending> pending = new LinkedHashSet<>();

        /**
         * Nothing keeps it: no subscriber, and in memory nothing to replay. On a log a topic is kept
         * only while read, and read only while someone here subscribes: its buffer cannot be extended.
         */
        boolean idle() {
            return subscribers.isEmpty() && (log != null ? pending.isEmpty() : buffer.isEmpty());
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

    /** One subscribed connection. */
    static final class Subscriber {
        private static final AtomicInteger SPREAD = new AtomicInteger();
        final List<String> topics;
        final ValueChannel channel;
        final SlowClientPolicy policy;
        final Runnable onSlow;
        /** Which fan-out lane serves it: always the same one, so its events keep their order. */
        final int spread = SPREAD.getAndIncrement() & Integer.MAX_VALUE;
        /** Set when it missed an event (queue full, or the offer threw) or was cut off: it gets nothing more. */
        private final AtomicBoolean dropped = new AtomicBoolean();
        /** Set once its stream was told to end. */
        private final AtomicBoolean told = new AtomicBoolean();

        Subscriber(List<String> topics, ValueChannel channel, SlowClientPolicy policy, Runnable onSlow) {
            this.topics = topics;
            this.channel = channel;
            this.policy = policy;
            this.onSlow = onSlow;
        }

        /** Queues the event without blocking; false when the subscriber must be cut off. */
        boolean deliver(HubEvent e) {
            if (dropped.get()) {
                return false; // a gap must not be followed by later events
            }
            ValueChannel.Offer offer = channel.offer(e);
            if (offer == ValueChannel.Offer.FULL && policy == SlowClientPolicy.COALESCE_BY_EVENT_NAME) {
                offer = channel.offerReplacing(e, queued -> queued instanceof HubEvent h && Objects.equals(h.event(), e.event()));
            }
            return offer != ValueChannel.Offer.FULL;
        }

        /** Marks it dropped; true only the first time, so it is cut off once. */
        boolean drop() {
            return dropped.compareAndSet(false, true);
        }

        /** Ends its stream as too slow. Only the first call counts. */
        void cutOff() {
            dropped.set(true);
            if (told.compareAndSet(false, true)) {
                onSlow.run();
            }
        }
    }
}
