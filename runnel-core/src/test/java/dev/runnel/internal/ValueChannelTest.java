package dev.runnel.internal;

import dev.runnel.internal.ValueChannel.Signal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ValueChannelTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    /** A call running on its own thread, whose blocking we can observe. */
    private record Running<T>(Thread thread, FutureTask<T> result) {

        static <T> Running<T> start(Callable<T> call) {
            FutureTask<T> task = new FutureTask<>(call);
            Thread thread = new Thread(task, "value-channel-test");
            thread.setDaemon(true);
            thread.start();
            return new Running<>(thread, task);
        }

        /** Waits (bounded) until the thread is parked, so it is blocked inside the channel. */
        Running<T> awaitBlocked() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Thread.State state = thread.getState();
                if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                    return this;
                }
                assertThat(state).as("thread ended or never blocked").isNotEqualTo(Thread.State.TERMINATED);
                assertThat(System.nanoTime()).as("thread did not block in time").isLessThan(deadline);
                Thread.onSpinWait();
            }
        }

        T get() throws Exception {
            return result.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void putBlocksWhenFullUntilPollTakes() throws Exception {
        ValueChannel channel = new ValueChannel(1);
        channel.put("a");

        Running<Void> producer = Running.<Void>start(() -> {
            channel.put("b");
            return null;
        }).awaitBlocked();
        assertThat(producer.result().isDone()).isFalse();
        assertThat(channel.size()).isEqualTo(1);

        List<Object> out = new ArrayList<>();
        assertThat(channel.poll(out, 10, LONG)).isEqualTo(Signal.ITEMS);
        producer.get();

        assertThat(out).containsExactly("a");
        out.clear();
        assertThat(channel.poll(out, 10, LONG)).isEqualTo(Signal.ITEMS);
        assertThat(out).containsExactly("b");
    }

    @Test
    void pollReturnsTimeoutAfterTheTimeoutWhenNothingIsQueued() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        List<Object> out = new ArrayList<>();
        long timeout = Duration.ofMillis(50).toNanos();

        long start = System.nanoTime();
        Signal signal = channel.poll(out, 10, timeout);
        long elapsed = System.nanoTime() - start;

        assertThat(signal).isEqualTo(Signal.TIMEOUT);
        assertThat(elapsed).isGreaterThanOrEqualTo(timeout);
        assertThat(out).isEmpty();
    }

    @Test
    void pollWithZeroTimeoutReturnsAtOnce() throws Exception {
        assertThat(new ValueChannel(4).poll(new ArrayList<>(), 10, 0)).isEqualTo(Signal.TIMEOUT);
    }

    @Test
    void pollTakesAtMostMaxItems() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        channel.put("a");
        channel.put("b");
        channel.put("c");
        List<Object> out = new ArrayList<>();

        assertThat(channel.poll(out, 2, LONG)).isEqualTo(Signal.ITEMS);

        assertThat(out).containsExactly("a", "b");
        assertThat(channel.size()).isEqualTo(1);
    }

    @Test
    void putWakesAWaitingPoll() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        List<Object> out = new ArrayList<>();
        Running<Signal> writer = Running.start(() -> channel.poll(out, 10, LONG)).awaitBlocked();

        channel.put("a");

        assertThat(writer.get()).isEqualTo(Signal.ITEMS);
        assertThat(out).containsExactly("a");
    }

    @Test
    void itemsQueuedBeforeFinishAreDeliveredBeforeFinished() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        channel.put("a");
        channel.put("b");
        channel.finish(null);
        List<Object> out = new ArrayList<>();

        assertThat(channel.poll(out, 1, LONG)).isEqualTo(Signal.ITEMS);
        assertThat(channel.poll(out, 1, LONG)).isEqualTo(Signal.ITEMS);
        assertThat(channel.poll(out, 1, LONG)).isEqualTo(Signal.FINISHED);

        assertThat(out).containsExactly("a", "b");
        assertThat(channel.failure()).isNull();
    }

    @Test
    void finishWakesAWaitingPoll() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        Running<Signal> writer = Running.start(() -> channel.poll(new ArrayList<>(), 10, LONG)).awaitBlocked();

        channel.finish(null);

        assertThat(writer.get()).isEqualTo(Signal.FINISHED);
    }

    @Test
    void finishWithFailureExposesTheFailure() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        IllegalStateException failure = new IllegalStateException("source broke");

        channel.finish(failure);

        assertThat(channel.poll(new ArrayList<>(), 10, LONG)).isEqualTo(Signal.FINISHED);
        assertThat(channel.failure()).isSameAs(failure);
    }

    @Test
    void onlyTheFirstFinishCounts() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        IllegalStateException first = new IllegalStateException("first");

        channel.finish(first);
        channel.finish(new IllegalStateException("second"));
        channel.finish(null);

        assertThat(channel.failure()).isSameAs(first);
    }

    @Test
    void cancelWakesABlockedPutWithCancellationException() throws Exception {
        ValueChannel channel = new ValueChannel(1);
        channel.put("a");
        Running<Void> producer = Running.<Void>start(() -> {
            channel.put("b");
            return null;
        }).awaitBlocked();

        channel.cancel();

        assertThatExceptionOfType(ExecutionException.class)
                .isThrownBy(producer::get)
                .withCauseInstanceOf(CancellationException.class);
    }

    @Test
    void cancelWakesAWaitingPollWithCancelled() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        Running<Signal> writer = Running.start(() -> channel.poll(new ArrayList<>(), 10, LONG)).awaitBlocked();

        channel.cancel();

        assertThat(writer.get()).isEqualTo(Signal.CANCELLED);
        assertThat(channel.isCancelled()).isTrue();
    }

    @Test
    void putAfterCancelThrowsCancellationException() {
        ValueChannel channel = new ValueChannel(4);
        channel.cancel();

        assertThatExceptionOfType(CancellationException.class).isThrownBy(() -> channel.put("a"));
    }

    @Test
    void cancelDropsQueuedItems() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        channel.put("a");

        channel.cancel();

        assertThat(channel.size()).isZero();
        assertThat(channel.poll(new ArrayList<>(), 10, LONG)).isEqualTo(Signal.CANCELLED);
    }

    @Test
    void offerRefusesWhenFull() {
        ValueChannel channel = new ValueChannel(1);

        assertThat(channel.offer("a")).isEqualTo(ValueChannel.Offer.ACCEPTED);
        assertThat(channel.offer("b")).isEqualTo(ValueChannel.Offer.FULL);
    }

    @Test
    void offerRefusesAfterFinishOrCancel() {
        ValueChannel finished = new ValueChannel(4);
        finished.finish(null);
        ValueChannel cancelled = new ValueChannel(4);
        cancelled.cancel();

        assertThat(finished.offer("a")).isEqualTo(ValueChannel.Offer.CLOSED);
        assertThat(cancelled.offer("a")).isEqualTo(ValueChannel.Offer.CLOSED);
    }

    @Test
    void pollUntilDueWaitsForDueThenReportsATimeout() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        FutureTask<Signal> waiting = new FutureTask<>(() -> channel.pollUntilDue(new ArrayList<>(), 10));
        Thread.ofVirtual().start(waiting);
        Thread.sleep(100);
        assertThat(waiting.isDone()).as("no timeout of its own").isFalse();
        channel.due();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(Signal.TIMEOUT);
    }

    @Test
    void aDueBeforeTheWaitIsNotLostAndValuesClearIt() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        channel.due();
        assertThat(channel.pollUntilDue(new ArrayList<>(), 10)).isEqualTo(Signal.TIMEOUT);

        channel.due();
        channel.offer("a");
        List<Object> out = new ArrayList<>();
        assertThat(channel.pollUntilDue(out, 10)).as("values win over a due heartbeat").isEqualTo(Signal.ITEMS);
        assertThat(out).containsExactly("a");
        channel.offer("b");
        assertThat(channel.poll(new ArrayList<>(), 10, 0)).isEqualTo(Signal.ITEMS);
        channel.cancel();
        assertThat(channel.pollUntilDue(new ArrayList<>(), 10)).as("the due was cleared by the write").isEqualTo(Signal.CANCELLED);
    }

    @Test
    void pollUntilDueWakesForValuesFinishAndCancel() throws Exception {
        for (java.util.function.Consumer<ValueChannel> wake : List.<java.util.function.Consumer<ValueChannel>>of(
                c -> c.offer("x"), c -> c.finish(null), ValueChannel::cancel)) {
            ValueChannel channel = new ValueChannel(4);
            FutureTask<Signal> waiting = new FutureTask<>(() -> channel.pollUntilDue(new ArrayList<>(), 10));
            Thread.ofVirtual().start(waiting);
            Thread.sleep(50);
            wake.accept(channel);
            assertThat(waiting.get(5, TimeUnit.SECONDS)).isIn(Signal.ITEMS, Signal.FINISHED, Signal.CANCELLED);
        }
    }

    @Test
    void theEnginesClockWakesAWriterOnceItIsDue() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        try (DueClock clock = DueClock.start(); DueClock.Entry entry = clock.watch(channel)) {
            long start = System.nanoTime();
            entry.dueAt(start + TimeUnit.MILLISECONDS.toNanos(150));
            assertThat(channel.pollUntilDue(new ArrayList<>(), 10)).isEqualTo(Signal.TIMEOUT);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(waitedMillis).as("due at 150 ms, woken within a tick or so after").isBetween(150L, 150L + 10 * DueClock.TICK_MILLIS);
        }
    }

    @Test
    void aChoreThatThrowsDoesNotStopTheClockWakingWriters() throws Exception {
        ValueChannel channel = new ValueChannel(4);
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        try (DueClock clock = DueClock.start()) {
            clock.every(java.time.Duration.ZERO, () -> {
                runs.incrementAndGet();
                throw new OutOfMemoryError("thrown by a test chore");
            });
            try (DueClock.Entry entry = clock.watch(channel)) {
                entry.dueAt(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300));
                assertThat(channel.pollUntilDue(new ArrayList<>(), 10)).isEqualTo(Signal.TIMEOUT);
            }
            assertThat(runs.get()).as("the chore ran, and threw, on earlier ticks").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void capacityBelowOneIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ValueChannel(0))
                .withMessageContaining("capacity");
    }
}
