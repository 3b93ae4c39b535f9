package dev.runnel.client.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a source holds open: the request in flight, the response body being read, and the
 * {@code HttpClient} when the source created it. {@link #release()} lets all of it go, exactly once
 * in effect, from any thread: on {@code close()}, when the source ends by itself, or from a
 * {@code Cleaner} once an iterated source was dropped without being closed. So it must never refer
 * to the source.
 */
final class Wire {

    private final HttpClient client;
    private final boolean ownsClient;
    private final ReentrantLock lock = new ReentrantLock(); // guards the fields below; never held across I/O
    private CompletableFuture<?> inFlight;
    private ResponseBody body;
    private boolean released;

    Wire(HttpClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    HttpClient client() {
        return client;
    }

    boolean ownsClient() {
        return ownsClient;
    }

    /** Remembers a request to cancel on release; false, and cancels it, when already released. */
    boolean track(CompletableFuture<?> request) {
        lock.lock();
        try {
            if (!released) {
                inFlight = request;
                return true;
            }
        } finally {
            lock.unlock();
        }
        request.cancel(true);
        return false;
    }

    void untrack() {
        lock.lock();
        try {
            inFlight = null;
        } finally {
            lock.unlock();
        }
    }

    /** Remembers the body being read, to close on release; false, and closes it, when already released. */
    boolean hold(ResponseBody current) {
        lock.lock();
        try {
            if (!released) {
                body = current;
                return true;
            }
        } finally {
            lock.unlock();
        }
        current.close();
        return false;
    }

    /** Closes {@code current}, the body held, if any. */
    void letGo(ResponseBody current) {
        if (current == null) {
            return;
        }
        lock.lock();
        try {
            if (body == current) {
                body = null;
            }
        } finally {
            lock.unlock();
        }
        current.close();
    }

    /** Cancels the request in flight, closes the body, and shuts down a client of the source's own. Never throws. */
    void release() {
        CompletableFuture<?> request;
        ResponseBody current;
        lock.lock();
        try {
            released = true;
            request = inFlight;
            current = body;
            inFlight = null;
            body = null;
        } finally {
            lock.unlock();
        }
        if (request != null) {
            request.cancel(true);
        }
        if (current != null) {
            current.close();
        }
        if (ownsClient) {
            client.shutdownNow();
        }
    }

    /** Waits for a client of the source's own to stop its threads. */
    void awaitClientStopped(Duration timeout) throws InterruptedException {
        if (ownsClient) {
            client.awaitTermination(timeout);
        }
    }
}
