package dev.runnel.internal;

import dev.runnel.Emitter;
import dev.runnel.EventStream;
import dev.runnel.RequestContext;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves an {@link EventStream}'s values into a {@link ValueChannel}. Blocking sources (a producer
 * lambda, an iterator) get a virtual thread of their own, so the writer can send heartbeats while
 * they block; a publisher needs none, its demand follows what the writer takes.
 */
public abstract sealed class Pump {

    final ValueChannel channel;

    Pump(ValueChannel channel) {
        this.channel = channel;
    }

    /** The queue between {@code stream}'s source and its writer. */
    public static ValueChannel channelFor(EventStream stream) {
        return switch (stream) {
            case EventStream.Subscribed s -> s.subscription().newChannel();
            case EventStream.Produced p -> new ValueChannel(ServeDefaults.QUEUE_CAPACITY);
            case EventStream.Iterated it -> new ValueChannel(ServeDefaults.QUEUE_CAPACITY);
            case EventStream.Published pub -> new ValueChannel(ServeDefaults.QUEUE_CAPACITY);
        };
    }

    /**
     * The pump for {@code stream}; call {@link #start()} to begin.
     *
     * @param cutOff ends the stream as a slow client; a hub subscription calls it when its queue overflows
     */
    public static Pump of(EventStream stream, ValueChannel channel, RequestContext context, String threadName, Runnable cutOff) {
        return switch (stream) {
            case EventStream.Subscribed s -> new SubscriptionPump(channel, s.subscription(), cutOff);
            case EventStream.Produced p -> new ThreadPump(channel, threadName, () -> p.producer().produce(new ChannelEmitter(channel, context)), null);
            case EventStream.Iterated it -> new ThreadPump(channel, threadName, () -> drain(it.values(), channel), it.onClose());
            case EventStream.Published pub -> new PublisherPump(channel, pub.publisher());
        };
    }

    /** Starts moving values. */
    public abstract void start();

    /** Stops the source: interrupts its thread or cancels its subscription. Idempotent. */
    public abstract void cancel();

    /**
     * Waits up to {@code grace} for the source to finish its cleanup; true when it did. A source
     * without a thread of its own has nothing to wait for.
     */
    public boolean await(Duration grace) throws InterruptedException {
        return true;
    }

    /** Told after the writer took {@code count} values, so a demand-driven source can ask for more. */
    public void taken(int count) {
    }

    /** True while the source still has a live thread. */
    public boolean isAlive() {
        return false;
    }

    private static void drain(Iterator<?> values, ValueChannel channel) throws InterruptedException {
        while (values.hasNext()) {
            channel.put(values.next());
        }
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    static final class ThreadPump extends Pump {
        private final Thread thread;
        private final AutoCloseable onClose;

        ThreadPump(ValueChannel channel, String name, Body body, AutoCloseable onClose) {
            super(channel);
            this.onClose = onClose;
            this.thread = Thread.ofVirtual().name(name).unstarted(() -> {
                Throwable failure = null;
                try {
                    body.run();
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (onClose != null) {
                        try {
                            onClose.close();
                        } catch (Throwable t) {
                            if (failure == null) {
                                failure = t;
                            } else {
                                failure.addSuppressed(t);
                            }
                        }
                    }
                    channel.finish(failure);
                }
            });
        }

        @Override
        public void start() {
            thread.start();
        }

        @Override
        public void cancel() {
            channel.cancel();
            thread.interrupt();
        }

        @Override
        public boolean await(Duration grace) throws InterruptedException {
            if (thread.getState() == Thread.State.NEW) {
                // cancelled before it started (join would throw): the source never ran, but its close callback is owed
                closeUnstarted();
                return true;
            }
            return thread.join(grace);
        }

        private void closeUnstarted() {
            if (onClose != null) {
                try {
                    onClose.close();
                } catch (Exception e) {
                    System.getLogger("dev.runnel.stream").log(System.Logger.Level.WARNING,
                            "closing a stream's source that was cancelled before it started failed", e);
                }
            }
        }

        @Override
        public boolean isAlive() {
            return thread.isAlive();
        }
    }

    static final class PublisherPump extends Pump implements Flow.Subscriber<Object> {
        private final Flow.Publisher<?> publisher;
        private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        private final AtomicBoolean cancelled = new AtomicBoolean();

        PublisherPump(ValueChannel channel, Flow.Publisher<?> publisher) {
            super(channel);
            this.publisher = publisher;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void start() {
            try {
                ((Flow.Publisher<Object>) publisher).subscribe(this);
            } catch (Throwable t) {
                channel.finish(t);
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (!subscription.compareAndSet(null, s) || cancelled.get()) {
                s.cancel();
                return;
            }
            s.request(ServeDefaults.QUEUE_CAPACITY);
        }

        @Override
        public void onNext(Object item) {
            if (channel.offer(item) == ValueChannel.Offer.FULL) {
                // more items than were requested: a broken publisher
                onError(new IllegalStateException("Flow.Publisher sent more items than requested (rule 1.1)"));
                cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            channel.finish(t);
        }

        @Override
        public void onComplete() {
            channel.finish(null);
        }

        @Override
        public void taken(int count) {
            Flow.Subscription s = subscription.get();
            if (s != null && !cancelled.get()) {
                s.request(count);
            }
        }

        @Override
        public void cancel() {
            channel.cancel();
            if (cancelled.compareAndSet(false, true)) {
                Flow.Subscription s = subscription.get();
                if (s != null) {
                    s.cancel();
                }
            }
        }

    }

    /** A hub subscription: the hub's publishers fill the queue; no thread of its own. */
    static final class SubscriptionPump extends Pump {
        private final Subscription subscription;
        private final Subscriber subscriber;

        SubscriptionPump(ValueChannel channel, Subscription subscription, Runnable cutOff) {
            super(channel);
            this.subscription = subscription;
            this.subscriber = subscription.subscriber(channel, cutOff);
        }

        @Override
        public void start() {
            subscription.attach(subscriber);
        }

        @Override
        public void cancel() {
            try {
                subscription.detach(subscriber);
            } finally {
                channel.cancel(); // the writer must wake and end even if the hub failed
            }
        }

    }

    /** The {@link Emitter} a producer lambda writes to. */
    static final class ChannelEmitter implements Emitter {
        private final ValueChannel channel;
        private final RequestContext context;

        ChannelEmitter(ValueChannel channel, RequestContext context) {
            this.channel = channel;
            this.context = context;
        }

        @Override
        public void emit(Object value) throws InterruptedException {
            if (value == null) {
                throw new NullPointerException("Emitter.emit(null): a stream value must not be null");
            }
            if (channel.isCancelled()) {
                throw new CancellationException("stream cancelled: the client left or the server is stopping");
            }
            channel.put(value);
        }

        @Override
        public RequestContext context() {
            return context;
        }

        @Override
        public boolean isCancelled() {
            return channel.isCancelled();
        }
    }
}
