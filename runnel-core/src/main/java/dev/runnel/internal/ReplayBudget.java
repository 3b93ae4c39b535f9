package dev.runnel.internal;

import dev.runnel.hub.HubOptions;

import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * The replay buffers of all of a hub's topics, counted together: the bytes they hold, against
 * {@link HubOptions#maxReplayBytes()}, the events, against {@link HubOptions#maxHistory()} (an event
 * on several topics counts once, from when it enters its first buffer to when it leaves its last), and their events in the order they were buffered, so that the
 * oldest go first whatever their topic, when the bytes pass the bound or the events the replay age.
 * The hub tells it of every event that enters or leaves a buffer. Guarded by the hub's lock.
 *
 * <p>An event that leaves its buffer another way (its topic's count or age, a topic that ends) stays in
 * the order, stale, until it comes first or the order is compacted. Stale entries are counted, in
 * number and in bytes, and the order is compacted when they outnumber buffered ones or when their
 * bytes pass a quarter of the bound: the order never holds more than about twice the buffered events,
 * nor keeps more than the bound and a quarter (and one event) reachable. A compaction walks the order,
 * at most the bound's worth of entries, once for every quarter of the bound that went stale: O(1) per
 * byte published.
 */
final class ReplayBudget {

    /** Stale entries tolerated beyond the buffered ones before compacting, so a small hub never compacts. */
    private static final int SLACK = 1024;

    private final long maxBytes;
    /** Most events buffered at once. */
    private final long maxEvents;
    /** True while an event is still in its topic's buffer. */
    private final Predicate<HubEvent> buffered;
    private final ArrayDeque<HubEvent> order = new ArrayDeque<>();
    private long bytes;
    private long held;
    /** Bytes of the stale entries still in the order, as {@link #cost} counts them. */
    private long staleBytes;
    /** The entry {@link #pollOldest} just took while still buffered: its removal is not a stale one. */
    private HubEvent polled;

    ReplayBudget(long maxBytes, long maxEvents, Predicate<HubEvent> buffered) {
        this.maxBytes = maxBytes;
        this.maxEvents = maxEvents;
        this.buffered = buffered;
    }

    /** What an event counts: its bytes, the text they were encoded from, and the objects that hold them. */
    static long cost(HubEvent e) {
        return 2L * e.size() + HubOptions.REPLAY_EVENT_OVERHEAD;
    }

    /** {@code e} entered a buffer. */
    void added(HubEvent e) {
        order.addLast(e);
        bytes += cost(e);
        held++;
    }

    /** {@code e} left its buffer (it was removed before this call). */
    void removed(HubEvent e) {
        bytes -= cost(e);
        held--;
        if (e == polled) {
            polled = null; // already off the order
            return;
        }
        staleBytes += cost(e);
        if (order.size() > 2 * held + SLACK || staleBytes > maxBytes / 4) {
            order.removeIf(buffered.negate());
            staleBytes = 0;
        }
    }

    /** True while the buffers hold more than the bounds: bytes, or events. */
    boolean over() {
        return bytes > maxBytes || held > maxEvents;
    }

    /** Events buffered. */
    long held() {
        return held;
    }

    /** The oldest entry, buffered or stale; {@code null} when there is none. */
    HubEvent oldest() {
        return order.peekFirst();
    }

    /** Takes the oldest entry off the order; the hub drops it from its buffer if it is still there. */
    HubEvent pollOldest() {
        HubEvent e = order.pollFirst();
        if (e != null) {
            if (buffered.test(e)) {
                polled = e;
            } else {
                staleBytes -= cost(e);
            }
        }
        return e;
    }

    /** Every buffer was emptied at once (the hub's log lost its data). */
    void clear() {
        order.clear();
        bytes = 0;
        held = 0;
        staleBytes = 0;
        polled = null;
    }

    /** Bytes the buffers hold, as {@link #cost} counts them. */
    long bytes() {
        return bytes;
    }

    /** Bytes the order keeps reachable, buffered and stale entries together, as {@link #cost} counts them. For tests: walks the order. */
    long referencedBytes() {
        long referenced = 0;
        for (HubEvent e : order) {
            referenced += cost(e);
        }
        return referenced;
    }
}
