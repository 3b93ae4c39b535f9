package dev.runnel.client.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A response body read by one thread with a limit on how long a read waits, which the JDK's
 * {@code InputStream} body lacks. It asks the client for one list of buffers at a time, so at most
 * one is queued. {@link #close()} may be called from any thread: it cancels the body (the client
 * then closes or resets the connection) and wakes a blocked read.
 *
 * <p>It holds no reference to the source that reads it: the client keeps it reachable while the
 * exchange lasts, and an abandoned source must still become unreachable.
 */
final class ResponseBody implements HttpResponse.BodySubscriber<ResponseBody> {

    private static final Object END = new Object();
    private static final Object CLOSED = new Object();
    /** Stands for the subscription once the body is closed: asking it for more does nothing. */
    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>(); // List<ByteBuffer>, Throwable, END, CLOSED
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    // the reading thread's
    private List<ByteBuffer> current = List.of();
    private int index;
    private boolean ended;

    @Override
    public CompletionStage<ResponseBody> getBody() {
        return CompletableFuture.completedFuture(this); // the response completes with the headers
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.compareAndSet(null, s) || closed.get()) {
            s.cancel();
            return;
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        arrivals.add(buffers);
    }

    @Override
    public void onError(Throwable error) {
        arrivals.add(error);
    }

    @Override
    public void onComplete() {
        arrivals.add(END);
    }

    /**
     * Reads up to {@code length} bytes, waiting at most {@code timeoutNanos} (0: no limit) for some
     * to arrive. Returns -1 at the end of the body.
     *
     * @throws HttpTimeoutException when nothing arrived in time
     * @throws InterruptedIOException when the thread was interrupted (its status is set again)
     * @throws IOException when the body failed or was closed
     */
    int read(byte[] into, int offset, int length, long timeoutNanos, String timeoutMessage) throws IOException {
        while (true) {
            if (closed.get()) {
                throw new IOException("the response body was closed");
            }
            if (ended) {
                return -1;
            }
            while (index < current.size()) {
                ByteBuffer buffer = current.get(index);
                if (buffer.hasRemaining()) {
                    int n = Math.min(length, buffer.remaining());
                    buffer.get(into, offset, n);
                    return n;
                }
                index++;
                if (index == current.size()) {
                    subscription.get().request(1);
                }
            }
            take(timeoutNanos, timeoutMessage);
        }
    }

    private void take(long timeoutNanos, String timeoutMessage) throws IOException {
        Object next;
        try {
            next = timeoutNanos > 0 ? arrivals.poll(timeoutNanos, TimeUnit.NANOSECONDS) : arrivals.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the response body");
        }
        if (next == null) {
            throw new HttpTimeoutException(timeoutMessage);
        } else if (next == END) {
            ended = true;
        } else if (next == CLOSED) {
            throw new IOException("the response body was closed");
        } else if (next instanceof Throwable error) {
            throw error instanceof IOException io ? io : new IOException(error);
        } else {
            @SuppressWarnings("unchecked")
            List<ByteBuffer> buffers = (List<ByteBuffer>) next;
            current = buffers;
            index = 0;
            if (buffers.isEmpty()) {
                subscription.get().request(1);
            }
        }
    }

    /** Cancels the body and wakes a read; any thread, any number of times. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            Flow.Subscription s = subscription.getAndSet(CANCELLED);
            if (s != null && s != CANCELLED) {
                s.cancel();
            }
            arrivals.add(CLOSED);
        }
    }
}
