package dev.runnel.client.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The wait before each reconnect. Counts reconnects in a row: every failed attempt and every stream
 * that ended or broke counts, and only a stream that stayed open for the reset time starts the
 * count again, so a server that accepts and drops every connection is backed off from like one
 * that refuses them. Used by the one thread that runs a source.
 */
final class Backoff {

    /** The doubling starts from at least this, even for a zero reconnection time and no floor. */
    private static final long MIN_BASE_MILLIS = 100;

    private final long floorMillis;
    private final long capMillis;
    private final long resetAfterNanos;
    private int inARow;

    Backoff(long floorMillis, long capMillis, long resetAfterNanos) {
        this.floorMillis = floorMillis;
        this.capMillis = capMillis;
        this.resetAfterNanos = resetAfterNanos;
    }

    /**
     * The wait after an attempt that opened no stream. The reconnection time (a server's
     * {@code retry} may be anything up to {@code Long.MAX_VALUE}) is capped like the backoff; the
     * caller's floor is not, should it be set above the cap.
     */
    long afterFailedAttempt(long retryMillis) {
        inARow++;
        long first = Math.max(floorMillis, Math.min(retryMillis, capMillis));
        return millis(inARow, first, Math.max(capMillis, first), ThreadLocalRandom.current());
    }

    /** The wait after a stream that was open for {@code openNanos} ended or broke. */
    long afterStream(long retryMillis, long openNanos) {
        if (openNanos >= resetAfterNanos) {
            inARow = 0;
        }
        return afterFailedAttempt(retryMillis);
    }

    /** Reconnects in a row so far. */
    int inARow() {
        return inARow;
    }

    /**
     * The wait for the n-th reconnect in a row ({@code n >= 1}): {@code firstMillis} for the first;
     * for the n-th, a random time from half to all of {@code b × 2^(n-1)} with
     * {@code b = max(firstMillis, 100 ms)}, capped, and never below {@code firstMillis}
     * (which the caller keeps at or below {@code capMillis}).
     */
    static long millis(int n, long firstMillis, long capMillis, RandomGenerator random) {
        if (n <= 1) {
            return firstMillis;
        }
        long high = Math.max(firstMillis, MIN_BASE_MILLIS);
        for (int i = 1; i < n && high < capMillis && high < Long.MAX_VALUE / 2; i++) {
            high *= 2;
        }
        high = Math.min(high, capMillis);
        long wait = high / 2 + random.nextLong(high - high / 2 + 1);
        return Math.max(firstMillis, wait);
    }
}
