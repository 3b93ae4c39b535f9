package dev.runnel.spring.boot.test;

import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stream that {@link RunnelTestClient#connect} opened at once and reads in the background: take
 * its events one by one with {@link #next()}, and see how it ended with {@link #end()}. Every wait
 * has the client's deadline. Close it (try-with-resources). Thread-safe.
 */
public final class LiveStream implements AutoCloseable {

    private final EventSource source;
    private final Duration timeout;
    private final LinkedBlockingQueue<MessageEvent> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<StreamEnd> ended = new CompletableFuture<>();

    LiveStream(java.util.function.Function<EventSourceListener, EventSource> connect, Duration timeout) {
        this.timeout = timeout;
        this.source = connect.apply(new EventSourceListener() {
            @Override
            public void onEvent(EventSource s, MessageEvent event) {
                events.add(event);
            }

            @Override
            public void onClosed(EventSource s, StreamEnd end) {
                ended.complete(end);
            }
        });
    }

    /**
     * The next event.
     *
     * @throws AssertionError when none came within the deadline, or the stream ended first (the message says why)
     */
    public MessageEvent next() {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                MessageEvent event = events.poll(20, TimeUnit.MILLISECONDS);
                if (event != null) {
                    return event;
                }
                if (ended.isDone() && events.isEmpty()) {
                    throw new AssertionError("the stream " + source.uri() + " ended before another event: " + ended.join().reason());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no event from " + source.uri() + " within " + timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for an event from " + source.uri(), e);
        }
    }

    /**
     * How the stream ended, waiting for it to end.
     *
     * @throws AssertionError when it has not ended within the deadline
     */
    public StreamEnd end() {
        try {
            return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the stream " + source.uri() + " did not end within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + source.uri() + " to end", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    /** True once the stream has ended; never waits. */
    public boolean hasEnded() {
        return ended.isDone();
    }

    /** Ends the stream from this side, if it still runs. */
    @Override
    public void close() {
        source.close();
    }
}
