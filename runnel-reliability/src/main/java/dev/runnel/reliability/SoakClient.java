package dev.runnel.reliability;

import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One soak client: follows the topic, checks that the sequence numbers arrive exactly once and in
 * order, and churns: after a random 1 to 10 s it closes its source and opens a new one with the
 * last id it saw, expecting exactly the events it missed in between (no reset).
 *
 * <p>State is touched by the source's listener thread and, between two sources, by the churning
 * thread; {@link EventSource#close()} returns only after the listener's last call, so the two
 * never overlap.
 */
final class SoakClient implements EventSourceListener {

    private final URI uri;
    private final EventSourceOptions options;
    private final SoakStats stats;

    private long lastSeq = -1;           // the last sequence number seen; -1 before the first
    private String lastId = "";          // the hub's id of that event, to resume from
    private boolean resuming;            // the current source was opened with a last id
    private volatile long resumes;       // sources that resumed with exactly the next event
    private volatile long seen;          // highest sequence number seen, for the final check
    private volatile boolean open;
    private volatile int errors;
    private volatile String lastError = "none";
    private volatile EventSource finalSource;  // the source left open at the end of the churn

    SoakClient(URI uri, EventSourceOptions options, SoakStats stats) {
        this.uri = uri;
        this.options = options;
        this.stats = stats;
    }

    /** Churns until {@code deadlineNanos} ({@link System#nanoTime()}); the last source is left open for the final check. */
    void run(long deadlineNanos, Duration minLife, Duration maxLife) throws InterruptedException {
        while (true) {
            resuming = !lastId.isEmpty();
            EventSource source = EventSource.connect(uri, options.withLastEventId(lastId), this);
            long life = ThreadLocalRandom.current().nextLong(minLife.toMillis(), maxLife.toMillis() + 1);
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= life) {
                finalSource = source;
                Thread.sleep(Math.max(0, left));
                return;
            }
            Thread.sleep(life);
            source.close();
            stats.reconnects.increment();
        }
    }

    void close() {
        EventSource source = finalSource;
        if (source != null) {
            source.close();
        }
    }

    long seen() {
        return seen;
    }

    /** What a client that fell behind was doing, for the report. */
    String state() {
        return (open ? "open" : "not connected") + ", " + errors + " stream errors, last: " + lastError;
    }

    long resumes() {
        return resumes;
    }

    @Override
    public void onOpen(EventSource source, HttpResponse.ResponseInfo response) {
        open = true;
        stats.connected.incrementAndGet();
    }

    @Override
    public void onEvent(EventSource source, MessageEvent event) {
        if (!event.type().equals("message")) {
            stats.violation("unexpected event " + event.type() + ": " + event.data() + " (after " + lastId + ")");
            return;
        }
        long seq = Long.parseLong(event.data());
        if (lastSeq >= 0 && seq != lastSeq + 1) {
            if (seq <= lastSeq) {
                stats.violation("event " + seq + " after " + lastSeq + " (twice or out of order)");
            } else {
                stats.lost.add(seq - lastSeq - 1);
                stats.violation("events " + (lastSeq + 1) + " to " + (seq - 1) + " lost"
                        + (resuming ? " across a reconnect with Last-Event-ID " + lastId : ""));
            }
        }
        if (resuming) {
            resuming = false;
            resumes++;
        }
        lastSeq = Math.max(lastSeq, seq);
        lastId = event.lastEventId();
        seen = lastSeq;
        stats.delivered.increment();
    }

    @Override
    public void onError(EventSource source, Throwable error) {
        leave();
        errors++;
        lastError = String.valueOf(error);
        stats.streamErrors.increment();
    }

    @Override
    public void onClosed(EventSource source, StreamEnd end) {
        leave();
        if (end.failed()) {
            stats.violation("source ended: " + end.reason());
        }
    }

    private void leave() {
        if (open) {
            open = false;
            stats.connected.decrementAndGet();
        }
    }
}
