package dev.runnel.redis;

import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Roster;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Roster} in Redis for every node of a hub on {@link RedisHubLog}: each node's entries in a
 * hash of its own, the nodes in a sorted set scored by their last heartbeat (Redis's clock), so a
 * node that stops beating for {@code deadAfter} is left out of every list, and one live node claims
 * it ({@code SET NX} with a lease it renews per entry) and calls {@link Listener#departed} for each of
 * its entries; should that node die too, its lease runs out and another finishes.
 *
 * <p>Node ids are new for every roster (every process start): a restarted node is a new node, and
 * its former self is a dead one. A node taken for dead writes nothing more under its id: on learning
 * it (its heartbeat or an announce is refused), it joins under a new id, takes new entries there, and
 * lists its former entries again, each with {@link Listener#rejoined}, once the former id's departures
 * have all been announced, so watchers see the end before the new start.
 *
 * <p>Two threads, started here and stopped by {@link #close} (the log's): one beats, the other
 * claims dead nodes, lists entries again, and retries what failed while Redis could not be reached.
 * A node judges others only once it has beaten for {@code deadAfter} without failing, so after an
 * outage of Redis, every node has the time to beat before any is taken for dead.
 */
final class RedisRoster implements Roster {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    private final String name;
    private final Listener listener;
    private final long beatMillis;
    private final long deadAfterMillis;
    private final RosterScript script;
    private final DeadNodes deadNodes;
    private final Runnable onClose;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopping = lock.newCondition();
    /** This node's id now. Under the lock. */
    private String node;
    /** This node's entries, as the application sees them. Under the lock. */
    private final Map<String, String> local = new LinkedHashMap<>();
    /** Entries listed under a former id taken for dead: key to that id, listed again once its departures are announced. */
    private final Map<String, String> formerly = new LinkedHashMap<>();
    /** Entries withdrawn while Redis could not be reached: key to value and id, unlisted and announced departed later. */
    private final Map<String, String[]> unlistLater = new LinkedHashMap<>();
    /** Entries whose announce failed: key to id, unlisted silently later (Redis may have stored them). */
    private final Map<String, String> forget = new LinkedHashMap<>();
    /** When the node last started beating without a failure ({@link System#nanoTime}); 0 while failing. */
    private volatile long healthySince;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread beater;
    private final Thread watcher;
    /** Called first in every heartbeat, for tests to make the body throw. */
    volatile Runnable beatProbe = () -> { };

    /** Joins roster {@code name} (now, or once Redis answers) and starts beating. */
    RedisRoster(StatefulRedisConnection<String, String> redis, String keyPrefix, String name, Listener listener,
                Duration beat, Duration deadAfter, Runnable onClose) {
        String prefix = keyPrefix + "roster:" + name + ":";
        this.name = name;
        this.listener = listener;
        this.beatMillis = beat.toMillis();
        this.deadAfterMillis = deadAfter.toMillis();
        this.onClose = onClose;
        this.script = new RosterScript(redis, prefix);
        this.deadNodes = new DeadNodes(script, redis, prefix, name, listener, deadAfterMillis, closed::get);
        this.node = UUID.randomUUID().toString();
        try {
            script.call("join", node);
            healthySince = System.nanoTime();
        } catch (RedisException e) {
            // not listed yet: the first beat that reaches Redis finds this node unlisted and joins
            LOG.log(Level.WARNING, "roster " + name + ": cannot join in Redis yet (" + e.getMessage() + "); joining once it answers");
        }
        this.beater = Thread.ofPlatform().daemon().name("runnel-roster-beat-" + name).start(() -> loop(this::beat));
        this.watcher = Thread.ofPlatform().daemon().name("runnel-roster-watch-" + name).start(() -> loop(this::watch));
    }

    @Override
    public void announce(String key, String value) {
        requireOpen();
        String id;
        lock.lock();
        try {
            id = node;
            local.put(key, value);
            forget.remove(key);
        } finally {
            lock.unlock();
        }
        try {
            for (int attempt = 0; ; attempt++) {
                if (script.call("announce", id, key, value) == 1) {
                    lock.lock();
                    try {
                        if (id.equals(node)) {
                            formerly.remove(key); // listed under the live id: nothing to list again
                        }
                    } finally {
                        lock.unlock();
                    }
                    return;
                }
                if (attempt == 1) {
                    throw new HubUnavailableException("roster " + name + ": this node cannot rejoin the cluster");
                }
                id = rejoin(id); // taken for dead: the entry goes under the new id
            }
        } catch (RedisException | HubUnavailableException e) {
            lock.lock();
            try {
                local.remove(key);
                forget.put(key, id);
            } finally {
                lock.unlock();
            }
            if (e instanceof HubUnavailableException h) {
                throw h;
            }
            throw new HubUnavailableException("cannot list an entry in Redis: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean withdraw(String key) {
        String id;
        String value;
        lock.lock();
        try {
            value = local.remove(key);
            if (value == null) {
                return true; // never listed (or already withdrawn): nothing to unlist
            }
            if (formerly.remove(key) != null) {
                return false; // listed under a dead id: whoever claimed it announces the departure
            }
            id = node;
        } finally {
            lock.unlock();
        }
        try {
            return script.call("withdraw", id, key) == 1;
        } catch (RedisException e) {
            lock.lock();
            try {
                unlistLater.put(key, new String[]{value, id});
            } finally {
                lock.unlock();
            }
            return false;
        }
    }

    @Override
    public List<Entry> entries() {
        return read("list");
    }

    @Override
    public Optional<Entry> find(String key) {
        return read("find", key).stream().findFirst();
    }

    /** The live nodes' entries {@code op} answers (flat: key, value, ...), by key, each once. */
    private List<Entry> read(String op, String... more) {
        String[] args = new String[more.length + 1];
        args[0] = Long.toString(deadAfterMillis);
        System.arraycopy(more, 0, args, 1, more.length);
        List<Object> flat;
        try {
            flat = script.eval(ScriptOutputType.MULTI, op, args);
        } catch (RedisException e) {
            throw new HubUnavailableException("cannot read the roster in Redis: " + e.getMessage(), e);
        }
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            sorted.putIfAbsent((String) flat.get(i), (String) flat.get(i + 1));
        }
        List<Entry> out = new ArrayList<>(sorted.size());
        sorted.forEach((k, v) -> out.add(new Entry(k, v)));
        return out;
    }

    /** Stops both threads (once), then leaves: unlisted at once, or its entries left to the others at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lock.lock();
        try {
            stopping.signalAll();
        } finally {
            lock.unlock();
        }
        join(beater);
        join(watcher);
        try {
            script.call("leave", currentNode());
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "roster " + name + ": leaving failed (" + e + "); the others take this node for dead shortly");
        } finally {
            onClose.run();
        }
    }

    /**
     * Stops beating and watching without leaving or waiting, as a node that died would (a thread busy
     * in the listener stays there). For tests.
     */
    void crash() {
        closed.set(true);
        lock.lock();
        try {
            stopping.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether both threads ended. For tests. */
    boolean stopped() {
        return !beater.isAlive() && !watcher.isAlive();
    }

    /** This node's id now. */
    String currentNode() {
        lock.lock();
        try {
            return node;
        } finally {
            lock.unlock();
        }
    }

    private static void join(Thread thread) {
        if (thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new HubUnavailableException("roster " + name + " is closed");
        }
    }

    /** Runs {@code body} every beat until closed; whatever it throws is logged, and the next beat comes. */
    private void loop(Runnable body) {
        boolean failing = false;
        while (!closed.get()) {
            try {
                body.run();
                if (failing) {
                    LOG.log(Level.INFO, "roster " + name + ": " + Thread.currentThread().getName() + " reaches Redis again");
                }
                failing = false;
            } catch (RedisException | HubUnavailableException e) {
                // once per outage: it fails every beat until Redis is back
                LOG.log(failing ? Level.DEBUG : Level.WARNING, "roster " + name + ": " + Thread.currentThread().getName()
                        + " cannot reach Redis (" + e.getMessage() + "); retrying every " + beatMillis + " ms");
                failing = true;
            } catch (Throwable e) {
                LOG.log(Level.WARNING, "roster " + name + ": " + Thread.currentThread().getName() + " failed; it goes on", e);
            }
            lock.lock();
            try {
                if (!closed.get()) {
                    stopping.await(beatMillis, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                return; // only close stops it; an interrupt from elsewhere ends it too rather than spin
            } finally {
                lock.unlock();
            }
        }
    }

    /** One heartbeat; joins under a new id when this one was taken for dead. */
    private void beat() {
        boolean ok = false;
        try {
            beatProbe.run();
            String id = currentNode();
            if (script.call("beat", id) == 0) {
                rejoin(id);
            }
            ok = true;
        } finally {
            if (!ok) {
                healthySince = 0;
            } else if (healthySince == 0) {
                healthySince = System.nanoTime();
            }
        }
    }

    /**
     * This node, as {@code deadId}, was taken for dead (or Redis lost the roster): joins under a new id
     * unless that happened already, and marks its entries to be listed again once {@code deadId}'s
     * departures are announced. Returns the id to write under.
     */
    private String rejoin(String deadId) {
        lock.lock();
        try {
            if (!node.equals(deadId)) {
                return node;
            }
            String fresh = UUID.randomUUID().toString();
            script.call("join", fresh);
            node = fresh;
            local.keySet().forEach(k -> formerly.putIfAbsent(k, deadId));
            LOG.log(Level.WARNING, "roster " + name + ": this node was taken for dead (no heartbeat reached Redis for "
                    + deadAfterMillis + " ms, or Redis lost its data); rejoining as a new node, its " + local.size()
                    + " entries listed again once their departure is announced");
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    /** Retries what failed, lists former entries again, and claims a dead node when this node is healthy. */
    private void watch() {
        retryUnlisting();
        listFormerAgain();
        long since = healthySince;
        if (since != 0 && System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(deadAfterMillis)) {
            deadNodes.claimAndAnnounce(currentNode());
        }
    }

    private void retryUnlisting() {
        Map<String, String> silent;
        Map<String, String[]> loud;
        lock.lock();
        try {
            silent = new LinkedHashMap<>(forget);
            loud = new LinkedHashMap<>(unlistLater);
        } finally {
            lock.unlock();
        }
        silent.forEach((key, id) -> {
            lock.lock();
            try {
                if (id.equals(forget.get(key))) { // else announced again since (or unlisted already)
                    unlistUnlessAnnouncedAgain(key, id);
                    forget.remove(key, id);
                }
            } finally {
                lock.unlock();
            }
        });
        loud.forEach((key, valueAndId) -> {
            boolean unlisted;
            lock.lock();
            try {
                unlisted = unlistUnlessAnnouncedAgain(key, valueAndId[1]);
            } finally {
                lock.unlock();
            }
            if (unlisted) {
                // kept until announced: should this throw, the next beat unlists (no-op) and announces again
                listener.departed(new Entry(key, valueAndId[0]));
            }
            lock.lock();
            try {
                unlistLater.remove(key, valueAndId);
            } finally {
                lock.unlock();
            }
        });
    }

    /**
     * Unlists {@code key} under {@code id}, an entry this node could not unlist in time; under the lock,
     * so an announce of the same key does not slip in between the check and the unlisting. An entry
     * announced again under the same id since is left listed (the new one), and counts as unlisted:
     * the former one's departure is still owed. True when the departure is this node's to announce.
     */
    private boolean unlistUnlessAnnouncedAgain(String key, String id) {
        if (local.containsKey(key) && id.equals(node)) {
            return true;
        }
        return script.call("withdraw", id, key) == 1;
    }

    private void listFormerAgain() {
        Map<String, String> waiting;
        lock.lock();
        try {
            waiting = new LinkedHashMap<>(formerly);
        } finally {
            lock.unlock();
        }
        Map<String, Boolean> gone = new java.util.HashMap<>();
        for (Map.Entry<String, String> w : waiting.entrySet()) {
            if (!gone.computeIfAbsent(w.getValue(), old -> script.call("gone", old) == 1)) {
                continue;
            }
            String key = w.getKey();
            String id;
            String value;
            lock.lock();
            try {
                if (!formerly.remove(key, w.getValue())) {
                    continue; // withdrawn meanwhile
                }
                value = local.get(key);
                id = node;
            } finally {
                lock.unlock();
            }
            if (value == null) {
                continue;
            }
            if (script.call("announce", id, key, value) == 1) {
                try {
                    listener.rejoined(new Entry(key, value));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "roster " + name + ": announcing entry " + key + " again failed: " + e);
                }
            } else {
                lock.lock();
                try {
                    formerly.putIfAbsent(key, id); // taken for dead again: waits for that id too
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
