package dev.runnel.internal;

import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The hub on a {@link HubLog} (several nodes on Redis): the log gives the ids and orders the events.
 * A publish only appends to the log; the node's one {@link LogReader} reads the whole log, every topic,
 * and hands what it reads to {@link #apply}, in sequence order, which buffers and fans it out exactly
 * as a local publish does. So the node's {@link TopicStore} mirrors the log's recent events: replays,
 * selectors and publishers' ids are served from memory, the same on every node.
 *
 * <p>The <em>cut</em> ({@link TopicStore#seq}) is how far the node has read: every event up to it has
 * been delivered, none above it. A node that starts first loads what the log holds (at most
 * {@link HubOptions#maxHistory()} events), and takes subscriptions once it has: until then, and while a
 * {@code Last-Event-ID} may name an event it has not read yet, making a subscription waits for the
 * reader (at most {@link #RESOLVE_WAIT}).
 */
final class LogFollower {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Fewest entries the log keeps, whatever the history: the reader must read an event before retention removes it. */
    static final int MIN_RETAIN = 1000;
    /** Most entries one read asks for. */
    static final int READ_LIMIT = 1000;
    /** Longest wait for the reader when making a subscription. */
    static final Duration RESOLVE_WAIT = Duration.ofSeconds(2);
    /** An entry's topics, canonical first, separated by LF (no topic holds a control character). */
    static final String TOPICS_FIELD = "to";
    /** Present, as {@code 1}, on a private event. */
    static final String PRIVATE_FIELD = "pv";
    /** The publisher's id, when it chose one. */
    static final String ID_FIELD = "pid";
    private static final Duration READY_PING = Duration.ofMillis(500);
    private static final long FULL_WARNING_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final TopicStore store;
    private final SubscriberRegistry registry;
    private final Replays replays;
    private final FanOut fanOut;
    private final HubLog log;
    private final LogReader reader;
    /** Entries the log keeps: the history, and slack for a reader that falls behind. */
    private final int retain;
    /** When the last warning that the hub holds too many topics to keep an event was logged; the reader's only. */
    private long lastFullWarning;
    /** Signalled, under the store's lock, after every round the reader applied. */
    private final Condition applied;
    /** True once the node has read everything the log held when it learned the epoch. Under the lock. */
    private boolean loaded;

    LogFollower(TopicStore store, SubscriberRegistry registry, Replays replays, FanOut fanOut, HubLog log, HubOptions options) {
        this.store = store;
        this.registry = registry;
        this.replays = replays;
        this.fanOut = fanOut;
        this.log = log;
        this.reader = new LogReader(this, log);
        this.retain = Math.max(options.maxHistory(), MIN_RETAIN);
        this.applied = store.lock.newCondition();
    }

    /** Starts reading the log. */
    void start() {
        reader.start();
    }

    /** The log's roster {@code name}. */
    dev.runnel.hub.Roster roster(String name, dev.runnel.hub.Roster.Listener listener) {
        return log.roster(name, listener);
    }

    /** Stops reading the log and closes it. */
    void close() {
        reader.stop();
        log.close();
    }

    /** True when the node has loaded the log, the reader is connected and the log answers a ping in time. */
    boolean isReady() {
        store.lock.lock();
        try {
            if (!loaded) {
                return false;
            }
        } finally {
            store.lock.unlock();
        }
        return reader.connected() && log.ping(READY_PING);
    }

    @Override
    public String toString() {
        return "hub on " + log;
    }

    /** Appends to the log; this node's subscribers get it from the reader, in log order, like every other node's. */
    Published publish(Formatted update) {
        Map<String, String> fields = new HashMap<>(PreparedFields.of(update.prepared()));
        fields.put(TOPICS_FIELD, String.join("\n", update.topics()));
        if (update.isPrivate()) {
            fields.put(PRIVATE_FIELD, "1");
        }
        if (update.publisherId() != null) {
            fields.put(ID_FIELD, update.publisherId());
        }
        HubLog.Position at;
        try {
            at = log.append(fields, retain);
        } catch (HubUnavailableException e) {
            // the log knows no topics: the message names them for whoever reads it
            String why = e.getMessage() == null ? "" : e.getMessage().replaceFirst("^cannot publish: ", "");
            String topics = UpdateChecks.shown(update.topics().get(0)) + (update.topics().size() > 1
                    ? " (and " + (update.topics().size() - 1) + " more)" : "");
            throw new HubUnavailableException("cannot publish to topic " + topics + ": " + why, e);
        }
        String id = update.publisherId() != null ? update.publisherId() : at.epoch() + "-" + at.seq();
        int subscribers;
        store.lock.lock();
        try {
            subscribers = registry.recipients(update.topics(), update.isPrivate()).size();
        } finally {
            store.lock.unlock();
        }
        return new Published(id, subscribers);
    }

    /**
     * Where a new subscription resumes. A subscription without an id starts at once, live. One that
     * resumes is resolved once this node has read everything the log held when it asked (the log's
     * head), so every node answers alike and no event published before the request is missed or
     * mistaken: this costs one call to the log, and a wait of at most {@link #RESOLVE_WAIT} for the reader.
     *
     * @throws HubUnavailableException when the log cannot be asked, or the reader did not catch up in time
     */
    ResumePoint resolve(Selection selection, String lastEventId, boolean earliest) {
        long deadline = System.nanoTime() + RESOLVE_WAIT.toNanos();
        if (lastEventId == null && !earliest) {
            awaitLoaded(deadline); // else the history it loads would reach this subscription as live events
            return ResumePoint.NONE;
        }
        HubLog.Position head;
        try {
            head = log.head();
        } catch (HubUnavailableException down) {
            return resolveWhileDown(selection, lastEventId, earliest, down);
        }
        awaitReader(() -> caughtUp(head), deadline, () -> "this node has not read the hub's log up to " + head.epoch() + "-"
                + head.seq() + " within " + RESOLVE_WAIT.toMillis() + " ms (" + log + "); retry shortly");
        store.lock.lock();
        try {
            return replays.resolve(selection, lastEventId, earliest);
        } finally {
            store.lock.unlock();
        }
    }

    /** Returns once this node has loaded the log, waiting for the reader until {@code deadline} at most. */
    private void awaitLoaded(long deadline) {
        awaitReader(() -> loaded, deadline, () -> "this node has not loaded the hub's log within " + RESOLVE_WAIT.toMillis()
                + " ms (" + log + "); retry shortly");
    }

    /**
     * Returns once {@code ready} holds (asked under the store's lock), waking the reader first and waiting
     * for its rounds until {@code deadline} at most.
     *
     * @throws HubUnavailableException with {@code failure}'s message when it does not hold in time
     */
    private void awaitReader(BooleanSupplier ready, long deadline, Supplier<String> failure) {
        store.lock.lock();
        try {
            if (ready.getAsBoolean()) {
                return;
            }
        } finally {
            store.lock.unlock();
        }
        reader.wake();
        store.lock.lock();
        try {
            long left = deadline - System.nanoTime();
            while (!ready.getAsBoolean() && left > 0) {
                left = applied.awaitNanos(left);
            }
            if (!ready.getAsBoolean()) {
                throw new HubUnavailableException(failure.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubUnavailableException("interrupted while waiting for the hub's log");
        } finally {
            store.lock.unlock();
        }
    }

    /**
     * The log cannot be asked: no event can be published meanwhile, so an id this node holds resumes from
     * its history (what it had not read yet follows once the log is back); any other answer could be
     * wrong, and the caller is told to retry.
     */
    private ResumePoint resolveWhileDown(Selection selection, String lastEventId, boolean earliest, HubUnavailableException down) {
        store.lock.lock();
        try {
            if (loaded) {
                ResumePoint point = replays.resolve(selection, lastEventId, earliest);
                if (point.outcome() != dev.runnel.hub.Resumed.NOT_FOUND) {
                    return point;
                }
            }
        } finally {
            store.lock.unlock();
        }
        throw down;
    }

    /** True when this node has loaded the log and read it through {@code head}. Under the lock. */
    private boolean caughtUp(HubLog.Position head) {
        return loaded && head.epoch().equals(store.epoch) && store.seq >= head.seq();
    }

    /** What the reader reads next: in the node's epoch, after the cut. */
    record Round(String epoch, long cut) {
    }

    /** The next read. */
    Round nextRound() {
        store.lock.lock();
        try {
            return new Round(store.epoch, store.seq);
        } finally {
            store.lock.unlock();
        }
    }

    /**
     * Buffers and hands out what the reader read, in sequence order. Returns whether there may be more
     * to read at once (the read was full, or the epoch changed), so the reader reads again instead of
     * waiting.
     */
    boolean apply(Round round, HubLog.Batch batch) {
        List<HubEvent> read = new ArrayList<>(batch.entries().size());
        long skipped = events(batch, read); // decoded and encoded before the lock
        Set<Subscriber> cut = new LinkedHashSet<>();
        List<FanOut.Delivery> handed = new ArrayList<>();
        boolean more;
        store.lock.lock();
        try {
            if (store.epoch == null || !batch.epoch().equals(store.epoch) || batch.head() < store.seq) {
                if (store.epoch != null) {
                    lostLog(batch, cut);
                }
                store.epoch = batch.epoch();
                store.seq = 0;
                store.lostThrough(batch.trimmedThrough());
                more = true; // read the new epoch's entries from its start
            } else {
                if (batch.trimmedThrough() > round.cut()) {
                    if (loaded) {
                        fellBehind(round, batch, cut);
                    } else {
                        store.lostThrough(batch.trimmedThrough()); // loading: the log's oldest are gone, as expected
                    }
                }
                if (skipped > store.seq) {
                    store.lostThrough(skipped); // an event this node cannot decode: no resume across it is whole
                }
                for (HubEvent e : read) {
                    if (e.seq() > store.seq) {
                        deliver(e, cut, handed);
                        store.seq = e.seq(); // handed over: should this round fail further on, the next starts after it
                    }
                }
                boolean full = batch.entries().size() >= READ_LIMIT;
                if (!full) {
                    store.seq = Math.max(store.seq, batch.head());
                    loaded = true;
                }
                more = full;
            }
            applied.signalAll();
        } finally {
            store.lock.unlock();
            try {
                SubscriberRegistry.cutOff(cut);
            } finally {
                // the reader paces itself by the fan-out; each delivery's last part cuts off its slow subscribers
                for (FanOut.Delivery d : handed) {
                    d.await();
                }
                fanOut.cutPending();
            }
        }
        return more;
    }

    /** Buffers {@code e} in its topics and hands it to its subscribers. Under the lock. */
    private void deliver(HubEvent e, Set<Subscriber> cut, List<FanOut.Delivery> handed) {
        List<TopicStore.Topic> joined = new ArrayList<>(e.topics().size());
        for (String name : e.topics()) {
            try {
                joined.add(store.topicFor(name, joined));
            } catch (IllegalStateException full) { // maxTopics: not replayable here, still delivered
                store.lostThrough(e.seq());
                // once a minute at most: a full hub would otherwise log every event it reads
                long now = System.nanoTime();
                Level level = now - lastFullWarning > FULL_WARNING_EVERY_NANOS || lastFullWarning == 0 ? Level.WARNING : Level.DEBUG;
                if (level == Level.WARNING) {
                    lastFullWarning = now;
                }
                LOG.log(level, () -> full.getMessage() + "; event " + UpdateChecks.shown(e.id()) + " is delivered but not kept for replay"
                        + (level == Level.WARNING ? " (said once a minute at most)" : ""));
            }
        }
        Collection<Subscriber> recipients = registry.recipients(e);
        store.buffer(e, joined);
        FanOut.Delivery d = fanOut.deliver(recipients, e);
        if (d.inline()) {
            List<Subscriber> slow = d.slow();
            slow.forEach(registry::detachLocked);
            cut.addAll(slow);
        } else {
            handed.add(d);
        }
    }

    /**
     * Retention removed events this node had not read: its subscribers may have missed some, and must
     * not be told otherwise. They are cut off to resume, which then finds the gap. Under the lock.
     */
    private void fellBehind(Round round, HubLog.Batch batch, Set<Subscriber> cut) {
        Set<Subscriber> everyone = registry.all();
        LOG.log(Level.WARNING, "the hub's log dropped events before this node read them (through " + batch.trimmedThrough()
                + ", read up to " + round.cut() + "); cutting " + everyone.size() + " subscriber(s) off so they resume");
        everyone.forEach(registry::detachLocked);
        cut.addAll(everyone);
        store.lostThrough(batch.trimmedThrough());
    }

    /**
     * The log lost data (wiped, or restored from an older copy): this node's buffers and positions
     * mean nothing any more. Every subscriber is cut off; browsers reconnect, and their ids, from
     * the old epoch, get the reset. Under the lock.
     */
    private void lostLog(HubLog.Batch batch, Set<Subscriber> cut) {
        Set<Subscriber> everyone = registry.all();
        LOG.log(Level.WARNING, "the hub's log lost data (epoch " + store.epoch + " -> " + batch.epoch() + ", head " + store.seq
                + " -> " + batch.head() + "); ending this node's " + everyone.size()
                + " subscription(s) so clients reconnect and get the reset event");
        everyone.forEach(registry::detachLocked);
        cut.addAll(everyone);
        store.clear();
    }

    /**
     * Adds the events of a read to {@code made}, in sequence order, each decoded and encoded once; an
     * entry this version cannot decode is skipped with a warning. Publish times move to this node's
     * clock by the log's. Returns the highest sequence number skipped, 0 for none.
     */
    private static long events(HubLog.Batch batch, List<HubEvent> made) {
        long receivedNanos = System.nanoTime();
        long skipped = 0;
        for (HubLog.Entry entry : batch.entries()) {
            Map<String, String> f = entry.fields();
            String publisherId = f.get(ID_FIELD);
            String id = publisherId != null ? publisherId : batch.epoch() + "-" + entry.seq();
            try {
                String topics = f.get(TOPICS_FIELD);
                if (topics == null || topics.isEmpty()) {
                    throw new IllegalArgumentException("it has no topics (fields " + f.keySet() + ")");
                }
                Prepared prepared = PreparedFields.parse(f);
                long age = Math.max(0, batch.nowMillis() - entry.publishedMillis());
                // each once, as a publish here makes them: an entry from elsewhere may name one twice
                List<String> named = List.copyOf(new LinkedHashSet<>(Arrays.asList(topics.split("\n", -1))));
                Formatted formatted = new Formatted(named, "1".equals(f.get(PRIVATE_FIELD)),
                        publisherId, prepared, prepared.toEvent(dev.runnel.Dialect.HTMX2));
                made.add(formatted.at(entry.seq(), id, receivedNanos - Math.min(age, Long.MAX_VALUE / 2_000_000L) * 1_000_000L));
            } catch (RuntimeException unknown) {
                skipped = entry.seq();
                LOG.log(Level.WARNING, "skipping event " + UpdateChecks.shown(id) + " of the hub's log: " + unknown.getMessage());
            }
        }
        return skipped;
    }

    /** The log's position to wait on when a read brought nothing new. */
    Round watch() {
        return nextRound();
    }
}
