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
    private ContentDecoder decoder; // the body's, or null
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

    /**
     * Remembers the body being read and its decoder (or null), to close on release; false, and
     * closes them, when already released.
     */
    boolean hold(ResponseBody current, ContentDecoder coding) {
        lock.lock();
        try {
            if (!released) {
                body = current;
                decoder = coding;
                return true;
            }
        } finally {
            lock.unlock();
        }
        current.close();
        if (coding != null) {
            coding.close();
        }
        return false;
    }

    /** Closes {@code current}, the body held, if any, and its decoder. */
    void letGo(ResponseBody current) {
        if (current == null) {
            return;
        }
        ContentDecoder coding = null;
        lock.lock();
        try {
            if (body == current) {
                body = null;
                coding = decoder;
                decoder = null;
            }
        } finally {
            lock.unlock();
        }
        current.close();
        if (coding != null) {
            coding.close();
        }
    }

    /** Cancels the request in flight, closes the body, and shuts down a client of the source's own. Never throws. */
    void release() {
        CompletableFuture<?> request;
        ResponseBody current;
        ContentDecoder coding;
        lock.lock();
        try {
            released = true;
            request = inFlight;
            current = body;
            coding = decoder;
            inFlight = null;
            body = null;
            decoder = null;
        } finally {
            lock.unlock();
        }
        if (request != null) {
            request.cancel(true);
        }
        if (current != null) {
            current.close();
        }
        if (coding != null) {
            coding.close(); // safe during a decode on the reading thread: the decoder frees itself as that returns
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
