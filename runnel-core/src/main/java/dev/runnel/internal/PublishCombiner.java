package dev.runnel.internal;

import dev.runnel.hub.Published;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Publishing in memory: gives each event the next sequence number, buffers it in its topic and hands
 * it to the topic's subscribers, under the store's lock.
 *
 * <p>Publishes that wait for the lock are carried out by whoever holds it: publishers queue here and
 * then take the lock, and the first to get it carries out all that are queued, so a publisher that
 * waits for the lock (on a virtual thread, behind every writer the last fan-out woke) holds up nobody,
 * since its event went out with an earlier holder's. Each publication still gets its own outcome (its
 * id and the subscriptions it was recorded for, or its own failure) as soon as its event is handed to
 * the fan-out, and subscribers found too slow are cut off whatever fails.
 */
final class PublishCombiner {

    private final TopicStore store;
    private final SubscriberRegistry registry;
    private final FanOut fanOut;
    /** Publishes that wait for the lock, in arrival order. */
    private final Queue<Publication> publications = new ConcurrentLinkedQueue<>();

    PublishCombiner(TopicStore store, SubscriberRegistry registry, FanOut fanOut) {
        this.store = store;
        this.registry = registry;
        this.fanOut = fanOut;
    }

    /**
     * Publishes {@code update}, along with every publication queued meanwhile. Returns its own
     * outcome, or throws its own failure, once the event is recorded and handed to the fan-out.
     */
    Published publish(Formatted update) {
        Publication mine = new Publication(update);
        publications.add(mine);
        List<Subscriber> slow = new ArrayList<>(0);
        store.lock.lock();
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
            store.lock.unlock();
            try {
                SubscriberRegistry.cutOff(slow);
            } finally {
                fanOut.cutPending();
            }
        }
        return outcome(mine);
    }

    /**
     * What {@code p}'s publisher is told, once the lock is released: its failure, or its id and how
     * many subscriptions it was recorded for. It does not wait for the fan-out's threads (they cut off
     * those too slow), unless too many hand-offs are queued on them.
     */
    private Published outcome(Publication p) {
        if (p.delivery != null && p.delivery.backlogged()) {
            p.delivery.await();
        }
        if (p.failure instanceof RuntimeException e) {
            throw e;
        }
        if (p.failure instanceof Error e) {
            throw e;
        }
        return new Published(p.id, p.subscribers);
    }

    /** Gives {@code p} its id, buffers it and hands it to its subscribers. Under the lock. */
    private void publishLocked(Publication p, List<Subscriber> slow) {
        List<TopicStore.Topic> joined;
        try {
            joined = store.joinAll(p.update.topics());
        } catch (RuntimeException refused) { // maxTopics: this publication fails, the others go on
            p.failure = refused;
            return;
        }
        long s = store.seq + 1;
        HubEvent published;
        try {
            published = p.update.at(s, store.epoch + "-" + s, System.nanoTime());
        } catch (RuntimeException | Error e) {
            joined.forEach(t -> store.pruneIfIdle(t.name, t));
            throw e;
        }
        store.seq = s; // taken only by an event that exists
        Collection<Subscriber> recipients = registry.recipients(published);
        store.buffer(published, joined);
        p.id = published.id();
        p.subscribers = recipients.size();
        p.delivery = fanOut.deliver(recipients, published);
        if (p.delivery.inline()) {
            for (Subscriber sub : p.delivery.slow()) {
                registry.detachLocked(sub);
                slow.add(sub);
            }
        }
    }

    /** A publish waiting for the lock. Its fields are written and read under the lock. */
    private static final class Publication {
        final Formatted update;
        String id;
        /** The subscriptions registered when it was recorded. */
        int subscribers;
        FanOut.Delivery delivery;
        Throwable failure;

        Publication(Formatted update) {
            this.update = update;
        }
    }
}
