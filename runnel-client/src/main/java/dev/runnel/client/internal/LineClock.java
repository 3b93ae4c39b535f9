package dev.runnel.client.internal;

/**
 * The read timeout's clock: how long an open stream has gone without completing a line (a
 * heartbeat comment is one), so bytes that trickle in without ending a line do not hold it open.
 * Time the reader spends delivering what it parsed is not counted. Used by the one thread that
 * runs a source.
 */
final class LineClock {

    private final long timeoutNanos;
    private long since;
    private long lines;

    /** {@code timeoutNanos} 0: no limit. */
    LineClock(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** A stream opened: counting starts now, from its first line. */
    void opened() {
        since = System.nanoTime();
        lines = 0;
    }

    /** The reader is back from delivering signals: the time that took is not the server's. */
    void resumed() {
        since = System.nanoTime();
    }

    /** The parser has completed {@code linesSoFar} lines of this stream. */
    void parsed(long linesSoFar) {
        if (linesSoFar != lines) {
            lines = linesSoFar;
            since = System.nanoTime();
        }
    }

    /** How long the next read may wait, at least 1 ns once the time is up; 0 for no limit. */
    long left() {
        if (timeoutNanos == 0) {
            return 0;
        }
        return Math.max(1, timeoutNanos - (System.nanoTime() - since));
    }
}
