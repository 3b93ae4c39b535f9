package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.JsonCodec;
import dev.runnel.Signals;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.SlowClientPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishes that wait for the hub's lock are carried out by whoever holds it: each still gets its
 * own outcome, one that fails costs no other publication anything, and subscribers found slow are
 * cut off whatever else fails. The same on a log, where a round is handed over once.
 */
class PublishOutcomeTest {

    /** A subscriber with its own queue; {@code weigher} runs on every offer, so it can throw or block. */
    private record Client(Subscriber subscriber, ValueChannel channel, AtomicInteger cutOffs) {

        static Client attach(TopicHub hub, String topic, int capacity, java.util.function.ToIntFunction<Object> weigher,
                             Runnable onCutOff) {
            ValueChannel channel = new ValueChannel(capacity, Long.MAX_VALUE, weigher);
            AtomicInteger cutOffs = new AtomicInteger();
            var subscriber = new Subscriber(List.of(topic), channel, SlowClientPolicy.DISCONNECT, () -> {
                cutOffs.incrementAndGet();
                onCutOff.run();
            });
            hub.attach(subscriber, null);
            return new Client(subscriber, channel, cutOffs);
        }

        static Client attach(TopicHub hub, String topic) {
            return attach(hub, topic, 64, v -> 0, () -> { });
        }

        List<String> ids() throws InterruptedException {
            List<Object> out = new ArrayList<>();
            channel.poll(out, Integer.MAX_VALUE, 0);
            return out.stream().map(v -> ((Encoded) v).id()).toList();
        }
    }

    /** A weigher that throws {@code error} when it first sees a hub event. */
    private static java.util.function.ToIntFunction<Object> throwing(Error error) {
        return v -> {
            if (v instanceof HubEvent) {
                throw error;
            }
            return 0;
        };
    }

    /** A subscriber on {@code gate} whose first offer blocks until {@link #open()}: it holds up whoever publishes there. */
    private static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean first = new AtomicBoolean(true);

        Gate(TopicHub hub) {
            Client.attach(hub, "gate", 64, v -> {
                if (v instanceof HubEvent && first.compareAndSet(true, false)) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return 0;
            }, () -> { });
        }

        void open() {
            release.countDown();
        }
    }

    private static void awaitParkedOrDone(Thread... threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED) {
                assertThat(System.nanoTime()).as(t.getName() + " parked or done").isLessThan(deadline);
                Thread.sleep(1);
            }
        }
    }

    private static Thread publishing(String name, AtomicReference<Object> outcome, Runnable publish) {
        return Thread.ofVirtual().name(name).start(() -> {
            try {
                publish.run();
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
    }

    @Test
    void aPublicationThatFailsWhileCombinedFailsForItsOwnPublisherOnly() throws Exception {
        JsonCodec nullForSignals = value -> value instanceof Map<?, ?> m && m.containsKey("bad") ? null : "{}";
        TopicHub hub = new TopicHub(new ValueFormatter(null, nullForSignals), nullForSignals, HubOptions.DEFAULTS);
        Client watcher = Client.attach(hub, "t");
        Gate gate = new Gate(hub);

        AtomicReference<Object> holder = new AtomicReference<>();
        AtomicReference<Object> bad = new AtomicReference<>();
        AtomicReference<Object> good = new AtomicReference<>();
        Thread a = publishing("holder", holder, () -> holder.set(hub.publish("gate", "held")));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread b = publishing("bad", bad, () -> bad.set(hub.publish("t", Signals.of(Map.of("bad", 1)))));
        Thread c = publishing("good", good, () -> good.set(hub.publish("t", "fine")));
        awaitParkedOrDone(b, c);
        gate.open();
        for (Thread t : List.of(a, b, c)) {
            assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(holder.get()).as("the lock holder's own outcome").isInstanceOf(Published.class);
        assertThat(bad.get()).as("the bad event's publisher gets the failure").isInstanceOf(RuntimeException.class);
        assertThat(good.get()).isInstanceOf(Published.class);
        assertThat(watcher.ids()).as("only the good event, once").containsExactly(((Published) good.get()).id());
    }

    @Test
    void aSubscriberWhoseOfferThrowsCostsOnlyItselfTheEventAndSlowOnesBeforeItAreStillCutOff() throws Exception {
        FanOutTest.FailedHandOffs metrics = new FanOutTest.FailedHandOffs();
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, metrics);
        Client slow = Client.attach(hub, "t", 1, v -> 0, () -> { });
        slow.channel().offer("filler");
        Client thrower = Client.attach(hub, "t", 64, throwing(new AssertionError("offer broke")), () -> { });
        Client fine = Client.attach(hub, "t");

        Published p = hub.publish("t", "x");

        assertThat(p.subscribers()).as("the subscriptions registered when it was recorded").isEqualTo(3);
        assertThat(metrics.count).as("the thrower's hand-off failed; the slow one's is no failure").hasValue(1);
        assertThat(fine.ids()).containsExactly(p.id());
        assertThat(slow.cutOffs()).hasValue(1);
        assertThat(thrower.cutOffs()).as("a subscriber that cannot take events is cut off, not skipped").hasValue(1);
        assertThat(hub.subscribers("t")).isEqualTo(1);

        Published next = hub.publish("t", "y");
        assertThat(next.subscribers()).isEqualTo(1);
        assertThat(fine.ids()).containsExactly(next.id());
        assertThat(thrower.cutOffs()).hasValue(1);
        assertThat(metrics.count).hasValue(1);
    }

    @Test
    void aCutOffThatThrowsDoesNotKeepTheOtherSlowSubscribersFromBeingCutOff() throws Exception {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS);
        Client first = Client.attach(hub, "t", 1, v -> 0, () -> {
            throw new IllegalStateException("cut-off callback broke");
        });
        first.channel().offer("filler");
        Client second = Client.attach(hub, "t", 1, v -> 0, () -> { });
        second.channel().offer("filler");

        Published p = hub.publish("t", "x");

        assertThat(p.subscribers()).isEqualTo(2);
        assertThat(first.cutOffs()).hasValue(1);
        assertThat(second.cutOffs()).hasValue(1);
        assertThat(hub.subscribers("t")).isZero();
    }

    @Test
    void aSlowSubscriberFoundEarlierInACombinedBatchIsCutOffWhenALaterPublicationFails() throws Exception {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS);
        Client slow = Client.attach(hub, "s", 1, v -> 0, () -> { });
        slow.channel().offer("filler");
        Client.attach(hub, "boom", 64, throwing(new OutOfMemoryError("pretend")), () -> { });
        Client fine = Client.attach(hub, "boom");
        Gate gate = new Gate(hub);

        AtomicReference<Object> holder = new AtomicReference<>();
        AtomicReference<Object> first = new AtomicReference<>();
        AtomicReference<Object> second = new AtomicReference<>();
        Thread a = publishing("holder", holder, () -> holder.set(hub.publish("gate", "held")));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread b = publishing("slow", first, () -> first.set(hub.publish("s", "one")));
        awaitParkedOrDone(b);
        Thread c = publishing("boom", second, () -> second.set(hub.publish("boom", "two")));
        awaitParkedOrDone(c);
        gate.open();
        for (Thread t : List.of(a, b, c)) {
            assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(slow.cutOffs()).hasValue(1);
        assertThat(holder.get()).isInstanceOf(Published.class);
        assertThat(first.get()).isInstanceOf(Published.class);
        assertThat(second.get()).isInstanceOf(Published.class);
        assertThat(fine.ids()).containsExactly(((Published) second.get()).id());
    }

    @Test
    void onALogASubscriberThatThrowsDoesNotMakeTheRoundDeliverTwice() throws Exception {
        LogHubTest.FakeLog log = new LogHubTest.FakeLog();
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, EngineMetrics.NOOP, log);
        readOnce(hub, log);
        Client fine = Client.attach(hub, "t");
        AtomicInteger seen = new AtomicInteger();
        Client thrower = Client.attach(hub, "t", 64, v -> {
            if (v instanceof HubEvent && seen.incrementAndGet() == 2) {
                throw new IllegalStateException("offer broke on the second event");
            }
            return 0;
        }, () -> { });
        readOnce(hub, log); // both registered
        List<String> published = List.of(log.publish("t", "1"), log.publish("t", "2"), log.publish("t", "3"));

        // as the reader does: a round that throws is read again
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                readOnce(hub, log);
            } catch (RuntimeException retried) {
                continue;
            }
            break;
        }
        readOnce(hub, log);

        assertThat(fine.ids()).as("every event once, in order").containsExactlyElementsOf(published);
        assertThat(thrower.cutOffs()).hasValue(1);
    }

    private static void readOnce(TopicHub hub, LogHubTest.FakeLog log) {
        LogHubTest.catchUp(hub, log);
    }
}
