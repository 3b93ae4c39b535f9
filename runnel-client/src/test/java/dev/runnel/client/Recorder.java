package dev.runnel.client;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that records every call, in order, and lets a test wait for them. */
class Recorder implements EventSourceListener {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** Every call, as "open", "event:DATA", "comment:TEXT", "error", "closed". */
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<MessageEvent> events = new CopyOnWriteArrayList<>();
    final List<String> comments = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<HttpResponse.ResponseInfo> opens = new CopyOnWriteArrayList<>();
    final AtomicInteger closedCalls = new AtomicInteger();
    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile StreamEnd end;

    @Override
    public void onOpen(EventSource source, HttpResponse.ResponseInfo response) {
        opens.add(response);
        log.add("open");
        arrivals.add(response);
    }

    @Override
    public void onEvent(EventSource source, MessageEvent event) {
        events.add(event);
        log.add("event:" + event.data());
        arrivals.add(event);
    }

    @Override
    public void onComment(EventSource source, String comment) {
        comments.add(comment);
        log.add("comment:" + comment);
    }

    @Override
    public void onError(EventSource source, Throwable error) {
        errors.add(error);
        log.add("error");
        arrivals.add(error);
    }

    @Override
    public void onClosed(EventSource source, StreamEnd reason) {
        end = reason;
        closedCalls.incrementAndGet();
        log.add("closed");
        closed.countDown();
    }

    /** Waits for the source to end; returns why. */
    StreamEnd awaitClosed() throws InterruptedException {
        if (!closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the source did not end within " + WAIT + "; calls so far: " + log);
        }
        return end;
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Waits for the next open, event or error, and returns it if it is of the given type. */
    <T> T next(Class<T> type) throws InterruptedException {
        Object next = arrivals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("nothing arrived within " + WAIT + "; calls so far: " + log);
        }
        if (!type.isInstance(next)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + next + "; calls so far: " + log);
        }
        return type.cast(next);
    }

    /** Waits until {@code n} events have arrived; returns the data of all events so far. */
    List<String> awaitEventData(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.size() < n) {
            if (System.nanoTime() > deadline || isClosed()) {
                throw new AssertionError("expected " + n + " events; calls so far: " + log);
            }
            Object next = arrivals.poll(10, TimeUnit.MILLISECONDS);
            if (next != null) {
                continue;
            }
        }
        return data();
    }

    /** The events received so far, by data. */
    List<String> data() {
        List<String> data = new ArrayList<>();
        events.forEach(e -> data.add(e.data()));
        return data;
    }
}
