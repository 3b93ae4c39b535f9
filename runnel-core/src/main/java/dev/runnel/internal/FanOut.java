package dev.runnel.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Hands one event to every subscriber of a topic. Each hand-off is a non-blocking queue offer, but
 * one that often wakes the subscriber's writer, which costs microseconds; a topic with thousands of
 * subscribers is therefore split into slices that run at the same time on the virtual-thread
 * same time on a few platform threads, while the caller, which holds the hub's lock, waits for all of them. The
 * lock stays held, so events still reach every queue in sequence order: slicing changes who does
 * the offers, not the order any one subscriber sees.
 */
final class FanOut {

    /** Below this many subscribers one thread is quicker than starting others. */
    static final int PARALLEL_FROM = 2048;
    /** Subscribers per slice, at least: a slice's thread must have enough to do to pay for itself. */
    private static final int MIN_SLICE = 1024;
    private static final int SLICES = Math.max(1, Runtime.getRuntime().availableProcessors());
    /**
     * Platform threads for the other slices, not virtual ones: the writers a slice wakes queue on the
     * virtual-thread scheduler, and a slice queued behind thousands of them would hold up the event.
     */
    private static final ExecutorService WORKERS = SLICES < 2 ? null : Executors.newFixedThreadPool(SLICES - 1,
            Thread.ofPlatform().name("runnel-fanout-", 0).daemon(true).factory());

    private FanOut() {
    }

    /**
     * Offers {@code event} to each of {@code subscribers}; those whose queue refused it go to
     * {@code slow}. Returns how many took it.
     */
    static int deliver(Collection<InMemoryHub.Subscriber> subscribers, HubEvent event, List<InMemoryHub.Subscriber> slow) {
        int n = subscribers.size();
        int slices = Math.min(SLICES, n / MIN_SLICE);
        if (n < PARALLEL_FROM || slices < 2) {
            int taken = 0;
            for (InMemoryHub.Subscriber sub : subscribers) {
                if (sub.deliver(event)) {
                    taken++;
                } else {
                    slow.add(sub);
                }
            }
            return taken;
        }
        InMemoryHub.Subscriber[] all = subscribers.toArray(new InMemoryHub.Subscriber[0]);
        Slice[] parts = new Slice[slices];
        CountDownLatch done = new CountDownLatch(slices);
        for (int i = 0; i < slices; i++) {
            parts[i] = new Slice(all, event, (int) ((long) n * i / slices), (int) ((long) n * (i + 1) / slices), done);
            if (i > 0) {
                WORKERS.execute(parts[i]);
            }
        }
        parts[0].run();
        // Spin, not park: a parked virtual thread resumes only when a carrier is free, and the offers
        // just made queued thousands of writers ahead of it, all while this thread holds the hub's
        // lock. The other slices run on platform threads and finish about when this one did.
        while (done.getCount() > 0) {
            Thread.onSpinWait();
        }
        int taken = 0;
        for (Slice part : parts) {
            taken += part.taken;
            slow.addAll(part.slow);
        }
        return taken;
    }

    /** One range of the subscribers, offered to by one thread. */
    private static final class Slice implements Runnable {
        private final InMemoryHub.Subscriber[] subscribers;
        private final HubEvent event;
        private final int from;
        private final int to;
        private final List<InMemoryHub.Subscriber> slow = new ArrayList<>(0);
        private final CountDownLatch done;
        private int taken;

        Slice(InMemoryHub.Subscriber[] subscribers, HubEvent event, int from, int to, CountDownLatch done) {
            this.subscribers = subscribers;
            this.done = done;
            this.event = event;
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                for (int i = from; i < to; i++) {
                    if (subscribers[i].deliver(event)) {
                        taken++;
                    } else {
                        slow.add(subscribers[i]);
                    }
                }
            } finally {
                done.countDown();
            }
        }
    }
}
