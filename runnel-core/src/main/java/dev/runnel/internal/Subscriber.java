package dev.runnel.internal;

import dev.runnel.hub.SlowClientPolicy;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One subscribed connection, as the hub holds it: its exact topics (found through each topic), its
 * other selectors ({@code *}, matchers: found through the registry), the topics it may receive
 * private updates of, its queue, and how it is cut off.
 */
final class Subscriber {
    private static final AtomicInteger SPREAD = new AtomicInteger();
    /** What it receives. */
    final Selection selection;
    /** Its exact topics, each once: {@code selection.topics()}. */
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
        this(Selection.of(topics), channel, policy, onSlow);
    }

    Subscriber(Selection selection, ValueChannel channel, SlowClientPolicy policy, Runnable onSlow) {
        this.selection = selection;
        this.topics = selection.topics();
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
