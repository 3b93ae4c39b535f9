package dev.runnel.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The bounded hand-off between a stream's source and its writer. The source blocks in
 * {@link #put} while the queue is full; the writer waits in {@link #poll} with the heartbeat as
 * timeout, so a value still being produced when a heartbeat is due is neither lost nor produced twice.
 *
 * <p>The end of the source ({@link #finish}) and cancellation by the writer ({@link #cancel}) are
 * flags, not queue entries, so neither can block.
 */
public final class ValueChannel {

    /** What {@link #poll} found. */
    public enum Signal { ITEMS, TIMEOUT, FINISHED, CANCELLED }

    /** What {@link #offer} did. */
    public enum Offer { ACCEPTED, FULL, CLOSED }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Object> items;
    private final int capacity;
    private final long maxBytes;
    private final ToIntFunction<Object> weigher;
    private long bytes;
    /** Values at the head added by {@link #addAll} (a replay), and their bytes: outside the bounds. */
    private int exempt;
    private long exemptBytes;
    private boolean finished;
    private Throwable failure;
    private boolean cancelled;
    /** Set by {@link #due}: the writer's timer ran out. */
    private boolean due;
    /** Told, outside the lock, after values were added or the channel ended: a writer without a thread of its own. */
    private volatile Runnable listener;

    public ValueChannel(int capacity) {
        this(capacity, Long.MAX_VALUE, null);
    }

    /**
     * A channel bounded by count and by weight: {@code weigher} gives each value's size in bytes
     * ({@code null} weighs nothing), and {@link #offer} refuses a value that would take the queued
     * total above {@code maxBytes}, unless the queue is empty.
     */
    public ValueChannel(int capacity, long maxBytes, ToIntFunction<Object> weigher) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.weigher = weigher;
        this.items = new ArrayDeque<>(Math.min(capacity, 16));
    }

    /**
     * Adds a value, waiting while the channel is full.
     *
     * @throws CancellationException when the channel is or becomes cancelled
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public void put(Object value) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!cancelled && items.size() >= capacity) {
                notFull.await();
            }
            if (cancelled) {
                throw new CancellationException("stream cancelled");
            }
            add(value);
        } finally {
            lock.unlock();
        }
        tell();
    }

    /** Adds a value without waiting, if it fits the count and byte bounds. */
    public Offer offer(Object value) {
        Offer offer;
        lock.lock();
        try {
            offer = offerLocked(value);
        } finally {
            lock.unlock();
        }
        if (offer == Offer.ACCEPTED) {
            tell();
        }
        return offer;
    }

    /**
     * Makes {@code onChange} be told, on the adding or ending thread and outside the lock, after every
     * value added and when the channel is cancelled or finished; for a writer that waits without a
     * thread. It must not block. What it throws reaches the caller of the call that told it.
     */
    public void listen(Runnable onChange) {
        this.listener = onChange;
    }

    private void tell() {
        Runnable l = listener;
        if (l != null) {
            l.run();
        }
    }

    /**
     * Removes the queued values {@code replaces} matches, then offers {@code value} at the end, so
     * the newest value of a kind wins and order between kinds is kept.
     */
    public Offer offerReplacing(Object value, Predicate<Object> replaces) {
        Offer offer;
        lock.lock();
        try {
            if (cancelled || finished) {
                return Offer.CLOSED;
            }
            int position = 0;
            for (Iterator<Object> it = items.iterator(); it.hasNext(); position++) {
                Object queued = it.next();
                if (position >= exempt && replaces.test(queued)) {
                    it.remove();
                    bytes -= weight(queued);
                }
            }
            offer = offerLocked(value);
        } finally {
            lock.unlock();
        }
        if (offer == Offer.ACCEPTED) {
            tell();
        }
        return offer;
    }

    /**
     * Adds values outside the bounds: for a replay, whose bytes are held by the replay buffer anyway.
     * They do not count against the bounds of later {@link #offer}s while they wait; call it on an
     * empty channel, before any offer.
     */
    public void addAll(List<?> values) {
        lock.lock();
        try {
            if (!cancelled) {
                for (Object value : values) {
                    add(value);
                    exempt++;
                    exemptBytes += weight(value);
                }
            }
        } finally {
            lock.unlock();
        }
        if (!values.isEmpty()) {
            tell();
        }
    }

    /** Bytes of the values waiting to be written, by the weigher. */
    public long queuedBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    private Offer offerLocked(Object value) {
        if (cancelled || finished) {
            return Offer.CLOSED;
        }
        int w = weight(value);
        int bounded = items.size() - exempt;
        if (bounded >= capacity || (bounded > 0 && bytes - exemptBytes + w > maxBytes)) {
            return Offer.FULL;
        }
        add(value);
        return Offer.ACCEPTED;
    }

    private void add(Object value) {
        items.add(value);
        bytes += weight(value);
        notEmpty.signal();
    }

    private int weight(Object value) {
        return weigher == null ? 0 : weigher.applyAsInt(value);
    }

    /** Marks the source as ended, normally ({@code null}) or with a failure. Only the first call counts. */
    public void finish(Throwable cause) {
        lock.lock();
        try {
            if (!finished) {
                finished = true;
                failure = cause;
                notEmpty.signalAll();
            }
        } finally {
            lock.unlock();
        }
        tell();
    }

    /** Stops the channel: waiting producers get {@link CancellationException}, a waiting writer wakes. */
    public void cancel() {
        lock.lock();
        try {
            cancelled = true;
            items.clear();
            bytes = 0;
            exempt = 0;
            exemptBytes = 0;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        tell();
    }

    public boolean isCancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    /** The source's failure once {@link #poll} returned {@link Signal#FINISHED}; {@code null} for a normal end. */
    public Throwable failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} for values, then moves up to {@code max} of them into
     * {@code out}. Values queued before the source finished are always delivered first.
     */
    public Signal poll(List<Object> out, int max, long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long remaining = timeoutNanos;
            while (!cancelled && items.isEmpty() && !finished) {
                if (remaining <= 0) {
                    return Signal.TIMEOUT;
                }
                remaining = notEmpty.awaitNanos(remaining);
            }
            return takeLocked(out, max);
        } finally {
            lock.unlock();
        }
    }

    /** After a wait: what ended it, and up to {@code max} values moved into {@code out}. Under the lock. */
    private Signal takeLocked(List<Object> out, int max) {
        if (cancelled) {
            return Signal.CANCELLED;
        }
        if (items.isEmpty()) {
            return Signal.FINISHED;
        }
        for (int i = 0; i < max && !items.isEmpty(); i++) {
            Object value = items.poll();
            int w = weight(value);
            bytes -= w;
            if (exempt > 0) {
                exempt--;
                exemptBytes -= w;
            }
            out.add(value);
        }
        notFull.signalAll();
        return Signal.ITEMS;
    }

    /**
     * Wakes a writer waiting in {@link #pollUntilDue}, which then returns {@link Signal#TIMEOUT} if
     * nothing else woke it first.
     */
    public void due() {
        lock.lock();
        try {
            due = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Like {@link #poll} but without a timeout of its own: it waits until values come, the source
     * ends, the channel is cancelled, or {@link #due} is called ({@link Signal#TIMEOUT}). A wait
     * without a timeout sets no timer on the scheduler, which matters when thousands of writers are
     * woken for every event.
     */
    public Signal pollUntilDue(List<Object> out, int max) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!cancelled && items.isEmpty() && !finished) {
                if (due) {
                    due = false;
                    return Signal.TIMEOUT;
                }
                notEmpty.await();
            }
            due = false; // a write is coming anyway: a heartbeat that fell due meanwhile is not needed
            return takeLocked(out, max);
        } finally {
            lock.unlock();
        }
    }

    /** Values waiting to be written. */
    public int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

}
