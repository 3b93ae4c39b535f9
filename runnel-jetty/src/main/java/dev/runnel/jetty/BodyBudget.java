package dev.runnel.jetty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that request bodies may hold in memory at once, server-wide. Each body takes a
 * {@link Reservation} that grows as its buffer does and is given back once, whichever way its
 * request ends. Lock-free: reserving never blocks, it succeeds or refuses.
 */
final class BodyBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** The bytes held now by all reservations. */
    long used() {
        return used.get();
    }

    /** A new, empty reservation. */
    Reservation reserve() {
        return new Reservation();
    }

    private boolean take(long bytes) {
        while (true) {
            long now = used.get();
            if (bytes > limit - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    private void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /**
     * What one body holds. Its reader grows it (one thread at a time); any thread may release it,
     * concurrently with a growth, and only the first release gives anything back. A released
     * reservation refuses to grow, so bytes taken after the release are given back at once.
     */
    final class Reservation {

        private static final long RELEASED = -1;
        private final AtomicLong held = new AtomicLong();

        /** Takes {@code bytes} more; false, taking nothing, when the budget has no room or this was released. */
        boolean grow(long bytes) {
            if (bytes <= 0) {
                return held.get() != RELEASED;
            }
            if (!take(bytes)) {
                return false;
            }
            while (true) {
                long now = held.get();
                if (now == RELEASED) {
                    give(bytes);
                    return false;
                }
                if (held.compareAndSet(now, now + bytes)) {
                    return true;
                }
            }
        }

        /** Gives back what it holds beyond {@code bytes}. */
        void shrinkTo(long bytes) {
            while (true) {
                long now = held.get();
                if (now <= bytes) {
                    return; // nothing beyond it, or released
                }
                if (held.compareAndSet(now, bytes)) {
                    give(now - bytes);
                    return;
                }
            }
        }

        /** Gives back everything it holds; later calls do nothing. */
        void release() {
            long now = held.getAndSet(RELEASED);
            if (now > 0) {
                give(now);
            }
        }
    }
}
