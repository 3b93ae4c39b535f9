package dev.runnel.internal;

import dev.runnel.EngineMetrics;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Hands one event to every subscriber of a topic, for one hub. Each hand-off is a non-blocking queue
 * offer, but one that often wakes the subscriber's writer, which costs microseconds; so a large topic
 * is handed to the hub's <em>lanes</em>: platform threads of this hub's own (not virtual ones: the
 * writers an offer wakes queue on the virtual-thread scheduler, and a lane queued behind thousands of
 * them would hold up the event), each serving a fixed share of the subscribers from a FIFO queue.
 *
 * <p>The publisher, which holds the hub's lock, only splits the subscribers by lane and queues the
 * parts; it does not wait for them, unless more than {@link #MAX_BACKLOG} hand-offs are queued, and
 * then only once it has let go of the lock. The last part of an event to finish has the subscribers
 * found too slow cut off, on a virtual thread (never a lane, which must not wait for the hub's lock);
 * should that thread not start, the next publisher, or {@link #close()}, cuts them off.
 *
 * <p>Order: a subscriber always belongs to the same lane, and a lane runs its parts in the order the
 * lock's holders queued them, which is sequence order. While any part is queued, even a small topic's
 * event goes through the lanes, so it cannot overtake an earlier event of a large topic.
 *
 * <p>Containment: an offer that throws, whatever it throws, cuts that one subscriber off, as a full
 * queue does, and is counted in {@link EngineMetrics#handOffsFailed}; the rest of the part still gets
 * the event. Containment never depends on logging or metrics (either may throw too). Should a part
 * fail anyway, the subscribers it had not reached are cut off, never silently skipped; a lane survives
 * whatever a part throws, and every queued part is finished and reported, by its lane or, once the
 * lane has stopped, by whoever queues it, so a {@link Delivery} always completes.
 *
 * <p>The lanes start with the first large fan-out and stop on {@link #close()}, once they have run what
 * is queued; after that every event is handed over on the publisher's thread.
 */
final class FanOut {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Below this many subscribers the lock's holder offers itself: quicker than a hand-off. */
    static final int PARALLEL_FROM = 2048;
    private static final int MAX_DEFAULT_LANES = 8;
    /**
     * Lanes by default: one per processor, at most {@value #MAX_DEFAULT_LANES} (a lane's share of a
     * large topic must be worth a hand-off); none on one processor, where they would only add hand-offs.
     */
    static final int DEFAULT_LANES = Runtime.getRuntime().availableProcessors() < 2 ? 0
            : Math.min(MAX_DEFAULT_LANES, Runtime.getRuntime().availableProcessors());
    /**
     * Hand-offs that may wait on the lanes (about 8 MiB of references, a hundred events to 10,000)
     * before a publisher waits for its own event's fan-out: publishers no longer wait for it otherwise,
     * and a flood of them must not queue without bound.
     */
    static final long MAX_BACKLOG = 1 << 20;
    private static final AtomicInteger HUBS = new AtomicInteger();
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final int laneCount;
    private final String name;
    /** Guards starting and stopping the lanes. */
    private final ReentrantLock life = new ReentrantLock();
    /** Made with the first large fan-out. */
    private volatile Lane[] lanes;
    /** Parts queued and not yet finished: while any is, every event goes through the lanes. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Hand-offs in the queued parts. */
    private final AtomicLong backlog = new AtomicLong();
    private final long maxBacklog;
    private final EngineMetrics metrics;
    /** Detaches, then cuts off, subscribers found too slow: the registry's, outside the hub's lock. */
    private final Consumer<List<Subscriber>> cutOff;
    /** Slow subscribers found by the lanes, waiting to be cut off. */
    private final ConcurrentLinkedQueue<Subscriber> toCut = new ConcurrentLinkedQueue<>();
    /** Set while a thread cuts off {@link #toCut}: one at a time. */
    private final AtomicBoolean cutting = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * A fan-out with {@code lanes} threads of its own (0 offers everything on the publisher's thread),
     * counting failed hand-offs in {@code metrics} and cutting off slow subscribers the lanes found
     * with {@code cutOff}.
     */
    FanOut(int lanes, long maxBacklog, EngineMetrics metrics, Consumer<List<Subscriber>> cutOff) {
        this.laneCount = Math.max(0, lanes);
        this.maxBacklog = maxBacklog;
        this.metrics = metrics;
        this.cutOff = cutOff;
        this.name = "runnel-fanout-" + HUBS.incrementAndGet() + "-";
    }

    /**
     * Offers {@code event} to each of {@code subscribers}, or queues the offers on the lanes. Called
     * under the hub's lock; never waits for another thread. A queued delivery has its slow subscribers
     * cut off once its last part has run.
     */
    Delivery deliver(Collection<Subscriber> subscribers, HubEvent event) {
        int n = subscribers.size();
        if (laneCount == 0 || closed || (n < PARALLEL_FROM && queued.get() == 0) || !started()) {
            Part all = new Part(subscribers, event);
            all.runContained();
            return new Delivery(List.of(all), true, false);
        }
        List<List<Subscriber>> byLane = new ArrayList<>(laneCount);
        for (int i = 0; i < laneCount; i++) {
            byLane.add(new ArrayList<>(n / laneCount + 1));
        }
        for (Subscriber sub : subscribers) {
            byLane.get(sub.spread % laneCount).add(sub);
        }
        List<Part> parts = new ArrayList<>(laneCount);
        List<Integer> at = new ArrayList<>(laneCount);
        for (int i = 0; i < laneCount; i++) {
            if (!byLane.get(i).isEmpty()) {
                parts.add(new Part(byLane.get(i), event));
                at.add(i);
            }
        }
        Delivery delivery = new Delivery(parts, false, backlog.addAndGet(n) > maxBacklog);
        for (Part part : parts) {
            part.owner = delivery;
        }
        queued.addAndGet(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            boolean added;
            try {
                added = lanes[at.get(i)].add(part);
            } catch (Throwable t) { // no memory for the lane's queue: offer here, still in order
                added = false;
            }
            if (!added) {
                part.finish(); // the lane stopped meanwhile: offer here
            }
        }
        return delivery;
    }

    /** Starts the lanes if they are not yet running; false if they cannot run. Under the hub's lock. */
    private boolean started() {
        if (lanes != null) {
            return true;
        }
        life.lock();
        try {
            return !closed && start();
        } finally {
            life.unlock();
        }
    }

    private boolean start() {
        Lane[] made = new Lane[laneCount];
        try {
            for (int i = 0; i < laneCount; i++) {
                made[i] = new Lane();
                made[i].thread = Thread.ofPlatform().name(name + i).daemon(true).start(made[i]);
            }
        } catch (RuntimeException | Error e) {
            QuietLog.log(LOG, Level.ERROR, "cannot start the hub's fan-out threads; publishers offer on their own threads", e);
            for (Lane lane : made) {
                if (lane != null) {
                    lane.close();
                }
            }
            closed = true;
            return false;
        }
        lanes = made;
        return true;
    }

    /**
     * Stops the lanes once they have run what is queued, waits briefly for their threads, and cuts off
     * the slow subscribers they found if no other thread is doing so. Idempotent; later events are
     * offered on the publisher's thread (one may overtake an event still queued on a lane: the hub
     * closes after its streams have ended).
     */
    void close() {
        Lane[] running;
        life.lock();
        try {
            closed = true;
            running = lanes == null ? new Lane[0] : lanes;
        } finally {
            life.unlock();
        }
        for (Lane lane : running) {
            lane.close();
        }
        for (Lane lane : running) {
            try {
                if (!lane.thread.join(STOP_WAIT)) {
                    QuietLog.log(LOG, Level.WARNING, "fan-out thread " + lane.thread.getName() + " did not stop within " + STOP_WAIT, null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        cutPending();
    }

    /** Has {@code slow} cut off on a virtual thread, off the lanes and the hub's lock. Never throws. */
    private void cutLater(List<Subscriber> slow) {
        if (slow.isEmpty()) {
            return;
        }
        try {
            toCut.addAll(slow);
        } catch (Throwable t) { // no memory to queue them: cut off here, on the lane, rather than never
            runCutOff(slow);
            return;
        }
        if (cutting.compareAndSet(false, true)) {
            try {
                Thread.ofVirtual().name(name + "cut").start(this::cutQueued);
            } catch (Throwable t) {
                cutting.set(false); // the next publisher, or close, cuts them off
                QuietLog.log(LOG, Level.WARNING, "cannot start a thread to cut off slow subscribers; the next publish does", t);
            }
        }
    }

    /**
     * Cuts off the slow subscribers the lanes found, on the caller's thread, unless another thread is
     * already doing so. Outside the hub's lock: publishers call it after each publish, so none is left
     * waiting should a thread to cut them off not start.
     */
    void cutPending() {
        if (!toCut.isEmpty() && cutting.compareAndSet(false, true)) {
            cutQueued();
        }
    }

    /** Cuts off everything queued to be; the caller set {@link #cutting}, which this clears. */
    private void cutQueued() {
        do {
            try {
                List<Subscriber> batch = new ArrayList<>();
                for (Subscriber sub; (sub = toCut.peek()) != null; ) {
                    batch.add(sub); // added before it leaves the queue: none is lost to a failed allocation
                    toCut.poll();
                }
                runCutOff(batch);
            } catch (Throwable t) {
                cutting.set(false);
                return; // no memory for the batch: those left are taken by the next publish, not by spinning here
            }
            cutting.set(false);
        } while (!toCut.isEmpty() && cutting.compareAndSet(false, true));
    }

    private void runCutOff(List<Subscriber> slow) {
        if (slow.isEmpty()) {
            return;
        }
        try {
            cutOff.accept(slow);
        } catch (Throwable t) {
            QuietLog.log(LOG, Level.WARNING, "cutting off " + slow.size() + " slow subscribers failed", t);
        }
    }

    /** Offers to one subscriber; a throw, like a full queue, cuts it off and costs nobody else the event. */
    private static void offer(Subscriber sub, HubEvent event, Part part) {
        boolean took;
        Throwable failed = null;
        try {
            took = sub.deliver(event);
        } catch (Throwable t) {
            took = false;
            failed = t;
        }
        if (!took && sub.drop()) {
            part.slow.add(sub);
        }
        if (failed != null) {
            part.failed++;
            QuietLog.log(LOG, Level.WARNING, "handing event " + event.id() + " to a subscriber failed; cutting it off", failed);
        }
    }

    /** What one event's hand-off did; its parts may still be running on the lanes. */
    static final class Delivery {
        private final List<Part> parts;
        private final boolean inline;
        private final boolean backlogged;
        private final CountDownLatch done;
        /** Parts not yet finished: the last one to finish has the slow subscribers cut off. */
        private final AtomicInteger unfinished;

        private Delivery(List<Part> parts, boolean inline, boolean backlogged) {
            this.parts = parts;
            this.inline = inline;
            this.backlogged = backlogged;
            this.done = new CountDownLatch(inline ? 0 : parts.size());
            this.unfinished = new AtomicInteger(inline ? 0 : parts.size());
        }

        /** True when the lock's holder made every offer itself: finished already. */
        boolean inline() {
            return inline;
        }

        /** True when more than the bound of hand-offs were queued with it: its publisher waits for it. */
        boolean backlogged() {
            return backlogged;
        }

        /**
         * Waits until every part has run (its slow subscribers are then handed to be cut off). Never
         * under the hub's lock. Keeps an interrupt for later.
         */
        void await() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the parts run to their end anyway, and quickly: offers never block
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * The subscribers to cut off: their queue was full, or the offer threw. Of an inline delivery;
         * a queued one's are cut off by its last part.
         */
        List<Subscriber> slow() {
            List<Subscriber> slow = new ArrayList<>(0);
            for (Part part : parts) {
                slow.addAll(part.slow);
            }
            return slow;
        }
    }

    /** One lane's share of one event's subscribers. */
    private final class Part {
        private final Collection<Subscriber> subscribers;
        private final HubEvent event;
        private final List<Subscriber> slow = new ArrayList<>(0);
        private Delivery owner;
        /** Offers that threw, and subscribers a failed part did not reach. */
        private int failed;
        /** Subscribers offered to so far; the rest had no offer yet. */
        private int reached;

        Part(Collection<Subscriber> subscribers, HubEvent event) {
            this.subscribers = subscribers;
            this.event = event;
        }

        /** Offers to every subscriber; if that fails part way, the ones not reached are cut off. Never throws. */
        void runContained() {
            try {
                for (Subscriber sub : subscribers) {
                    offer(sub, event, this);
                    reached++;
                }
            } catch (Throwable t) {
                cutOffUnreached();
                failed += subscribers.size() - reached;
                QuietLog.log(LOG, Level.ERROR, "fan-out of event " + event.id() + " failed; cutting off the "
                        + (subscribers.size() - reached) + " subscribers it had not reached", t);
            }
            if (failed > 0) {
                try {
                    metrics.handOffsFailed(failed);
                } catch (Throwable t) {
                    // metrics must not throw; if they do, the subscribers are cut off all the same
                }
            }
        }

        /**
         * Marks the subscribers not yet offered to (the one being offered to included, even if its
         * offer marked it dropped already: a second cut-off is a no-op) as slow: they missed the event.
         */
        private void cutOffUnreached() {
            try {
                int i = 0;
                for (Subscriber sub : subscribers) {
                    if (i >= reached && (sub.drop() || i == reached)) {
                        slow.add(sub);
                    }
                    i++;
                }
            } catch (Throwable t) {
                // no memory even for this: those left are marked dropped at least, so they get nothing after the gap
            }
        }

        /**
         * Runs a queued part and reports it done, whatever happens; the event's last part to finish
         * hands its slow subscribers to be cut off.
         */
        void finish() {
            try {
                runContained();
            } finally {
                queued.decrementAndGet();
                backlog.addAndGet(-subscribers.size());
                try {
                    if (owner.unfinished.decrementAndGet() == 0) {
                        for (Part part : owner.parts) {
                            cutLater(part.slow); // each part's own list: nothing to allocate here
                        }
                    }
                } finally {
                    owner.done.countDown();
                }
            }
        }
    }

    /** One platform thread running its parts in the order they were queued. */
    private final class Lane implements Runnable {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition nonEmpty = lock.newCondition();
        private final ArrayDeque<Part> parts = new ArrayDeque<>();
        private boolean stopping;
        private Thread thread;

        /** Queues a part; false once the lane is stopping. */
        boolean add(Part part) {
            lock.lock();
            try {
                if (stopping) {
                    return false;
                }
                parts.addLast(part);
                nonEmpty.signal();
                return true;
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                stopping = true;
                nonEmpty.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Part next;
                    lock.lock();
                    try {
                        while (parts.isEmpty() && !stopping) {
                            nonEmpty.awaitUninterruptibly();
                        }
                        next = parts.pollFirst();
                    } finally {
                        lock.unlock();
                    }
                    if (next == null) {
                        return; // stopping, and everything queued has run
                    }
                    try {
                        next.finish();
                    } catch (Throwable t) {
                        // finish reported the part done already; the lane serves the next one
                    }
                }
            } finally {
                finishLeft();
            }
        }

        /**
         * Whatever ended the loop: refuses new parts (their publishers offer themselves) and finishes
         * those still queued here, so that no {@link Delivery} waits for a lane that is gone.
         */
        private void finishLeft() {
            List<Part> left;
            lock.lock();
            try {
                stopping = true;
                left = new ArrayList<>(parts);
                parts.clear();
            } finally {
                lock.unlock();
            }
            for (Part part : left) {
                part.finish();
            }
        }
    }
}
