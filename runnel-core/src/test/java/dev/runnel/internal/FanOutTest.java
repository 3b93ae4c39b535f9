package dev.runnel.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.runnel.EngineMetrics;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.SlowClientPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large topic's fan-out: its slices run on the hub's own threads, the publisher does not wait for
 * them (and never while it holds the hub's lock), a subscriber that throws costs only itself the event
 * and is counted, every subscriber still sees one order, and closing the hub stops its threads once
 * they have handed over, and cut off the slow subscribers of, what was queued.
 */
class FanOutTest {

    /** Large enough to be sliced. */
    private static final int LARGE = FanOut.PARALLEL_FROM * 2 + 7;

    private final List<TopicHub> hubs = new ArrayList<>();

    @AfterEach
    void closeHubs() {
        hubs.forEach(TopicHub::close);
    }

    /** A hub whose fan-out uses {@code lanes} threads of its own. */
    private TopicHub hub(int lanes) {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, EngineMetrics.NOOP, null, lanes);
        hubs.add(hub);
        return hub;
    }

    private record Client(Subscriber subscriber, ValueChannel channel, AtomicInteger cutOffs) {

        static Client attach(TopicHub hub, String topic, ToIntFunction<Object> weigher) {
            return attach(hub, List.of(topic), weigher);
        }

        static Client attach(TopicHub hub, List<String> topics, ToIntFunction<Object> weigher) {
            ValueChannel channel = new ValueChannel(1024, Long.MAX_VALUE, weigher);
            AtomicInteger cutOffs = new AtomicInteger();
            var subscriber = new Subscriber(topics, channel, SlowClientPolicy.DISCONNECT, cutOffs::incrementAndGet);
            hub.attach(subscriber, null);
            return new Client(subscriber, channel, cutOffs);
        }

        List<String> ids() throws InterruptedException {
            List<Object> out = new ArrayList<>();
            channel.poll(out, Integer.MAX_VALUE, 0);
            return out.stream().map(v -> ((Encoded) v).id()).toList();
        }
    }

    private static final ToIntFunction<Object> PLAIN = v -> 0;

    /** A weigher that blocks the first hub event it sees until {@code release}, after counting down {@code entered}. */
    private static ToIntFunction<Object> blocking(CountDownLatch entered, CountDownLatch release) {
        AtomicBoolean first = new AtomicBoolean(true);
        return v -> {
            if (v instanceof HubEvent && first.compareAndSet(true, false)) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        };
    }

    private static List<Client> attachMany(TopicHub hub, String topic, int count) {
        List<Client> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            clients.add(Client.attach(hub, topic, PLAIN));
        }
        return clients;
    }

    @Test
    void subscribersWhoseOfferThrowsAreCutOffAndTheRestOfTheirSlicesStillGetEveryEventInOrder() throws Exception {
        TopicHub hub = hub(2);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < LARGE; i++) {
            boolean throwsHere = i == 1 || i == LARGE - 2; // one early, one late: in different slices
            clients.add(Client.attach(hub, "t", throwsHere ? v -> {
                if (v instanceof HubEvent) {
                    throw new AssertionError("offer broke");
                }
                return 0;
            } : PLAIN));
        }

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Published p = hub.publish("t", "e" + i);
            assertThat(p.subscribers()).as("publish " + i + ": registered when recorded").isEqualTo(i == 0 ? LARGE : LARGE - 2);
            ids.add(p.id());
            await("the throwers left the topic", () -> hub.subscribers("t") == LARGE - 2);
        }

        for (int i = 0; i < LARGE; i++) {
            Client c = clients.get(i);
            await("subscriber " + i + " handed every event", () -> c.cutOffs().get() == 1 || c.channel().size() == 3);
            if (i == 1 || i == LARGE - 2) {
                assertThat(c.cutOffs()).as("thrower " + i).hasValue(1);
                assertThat(c.ids()).isEmpty();
            } else {
                assertThat(c.ids()).as("subscriber " + i).containsExactlyElementsOf(ids);
                assertThat(c.cutOffs()).hasValue(0);
            }
        }
        assertThat(hub.subscribers("t")).isEqualTo(LARGE - 2);
    }

    @Test
    void aSubscriberWhoseOfferThrowsWhileLoggingFailsCostsNobodyElseTheEventAndNeverWedgesTheHub() throws Exception {
        // a log handler that fails on warnings (a full disk, an OutOfMemoryError while formatting): JUL lets it propagate
        Logger hubLog = Logger.getLogger("dev.runnel.hub");
        Handler failing = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    throw new OutOfMemoryError("logging");
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        hubLog.addHandler(failing);
        try {
            TopicHub hub = hub(2);
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < LARGE; i++) {
                clients.add(Client.attach(hub, "t", i == 5 ? v -> {
                    if (v instanceof HubEvent) {
                        throw new AssertionError("offer broke");
                    }
                    return 0;
                } : PLAIN));
            }
            Client small = Client.attach(hub, "small", PLAIN);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(publishWithin(hub, "t", "e" + i, i == 0 ? LARGE : LARGE - 1));
                await("the thrower left the topic", () -> hub.subscribers("t") == LARGE - 1);
            }
            String smallId = publishWithin(hub, "small", "s", 1);
            await("the small topic's event handed over", () -> small.channel().size() == 1);

            for (int i = 0; i < LARGE; i++) {
                Client c = clients.get(i);
                await("subscriber " + i + " handed every event", () -> c.cutOffs().get() == 1 || c.channel().size() == 3);
                if (i == 5) {
                    assertThat(c.cutOffs()).as("the thrower").hasValue(1);
                    assertThat(c.ids()).isEmpty();
                } else {
                    assertThat(c.ids()).as("subscriber " + i).containsExactlyElementsOf(ids);
                    assertThat(c.cutOffs()).as("subscriber " + i).hasValue(0);
                }
            }
            assertThat(small.ids()).containsExactly(smallId);
            assertThat(hub.subscribers("t")).isEqualTo(LARGE - 1);
        } finally {
            hubLog.removeHandler(failing);
        }
    }

    /** Publishes on a thread of its own, which must finish within a generous time; returns the event's id. */
    private static String publishWithin(TopicHub hub, String topic, String value, int expectedSubscribers) throws Exception {
        AtomicReference<Published> published = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().start(() -> {
            try {
                published.set(hub.publish(topic, value));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        assertThat(publisher.join(Duration.ofSeconds(20))).as("publish of " + value + " on " + topic + " returned").isTrue();
        assertThat(failed.get()).as("publish of " + value).isNull();
        assertThat(published.get().subscribers()).as("subscribers when " + value + " was recorded").isEqualTo(expectedSubscribers);
        return published.get().id();
    }

    @Test
    void thePublisherNeverWaitsForOtherSlicesWhileHoldingTheHubLock() throws Exception {
        TopicHub hub = hub(2);
        attachMany(hub, "t", LARGE - 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Client stuck = Client.attach(hub, "t", blocking(entered, release)); // last: never in the caller's own slice

        AtomicReference<Published> published = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().start(() -> published.set(hub.publish("t", "x")));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        // one slice is stuck on a subscriber: the hub's lock must still be free for everyone else
        AtomicInteger counted = new AtomicInteger(-1);
        Thread other = Thread.ofVirtual().start(() -> counted.set(hub.subscribers("t")));
        try {
            assertThat(other.join(Duration.ofSeconds(10))).as("the hub lock was free while a slice was stuck").isTrue();
            assertThat(counted).hasValue(LARGE);
        } finally {
            release.countDown();
        }
        assertThat(publisher.join(Duration.ofSeconds(10))).isTrue();
        assertThat(published.get().subscribers()).isEqualTo(LARGE);
        await("the stuck subscriber handed the event", () -> stuck.channel().size() == 1);
        assertThat(stuck.ids()).containsExactly(published.get().id());
    }

    @Test
    void aHubsFanOutIsNotHeldUpByAnotherHubsStuckSlice() throws Exception {
        TopicHub first = hub(2);
        attachMany(first, "t", LARGE - 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Client.attach(first, "t", blocking(entered, release));
        Thread stuckPublisher = Thread.ofVirtual().start(() -> first.publish("t", "x"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        TopicHub second = hub(2);
        List<Client> others = attachMany(second, "t", LARGE);
        AtomicReference<Published> published = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().start(() -> published.set(second.publish("t", "y")));
        try {
            assertThat(publisher.join(Duration.ofSeconds(10))).as("the second hub fanned out on threads of its own").isTrue();
            assertThat(published.get().subscribers()).isEqualTo(LARGE);
            await("the second hub handed its event", () -> others.get(LARGE - 1).channel().size() == 1);
            assertThat(others.get(LARGE - 1).ids()).containsExactly(published.get().id());
        } finally {
            release.countDown();
            stuckPublisher.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void aSubscriberOfALargeAndASmallTopicSeesTheirEventsInPublishOrderWhileASliceIsBusy() throws Exception {
        TopicHub hub = hub(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Client.attach(hub, "big", blocking(entered, release)); // first in the one slice: holds it up
        attachMany(hub, "big", LARGE - 2);
        Client both = Client.attach(hub, List.of("big", "small"), PLAIN);

        AtomicReference<Published> big = new AtomicReference<>();
        AtomicReference<Published> small = new AtomicReference<>();
        Thread bigPublisher = Thread.ofVirtual().start(() -> big.set(hub.publish("big", "1")));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread smallPublisher = Thread.ofVirtual().start(() -> small.set(hub.publish("small", "2")));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (smallPublisher.getState() != Thread.State.WAITING && smallPublisher.isAlive()) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(1);
            }
        } finally {
            release.countDown();
        }
        assertThat(bigPublisher.join(Duration.ofSeconds(10))).isTrue();
        assertThat(smallPublisher.join(Duration.ofSeconds(10))).isTrue();
        await("both events handed over", () -> both.channel().size() == 2);
        assertThat(both.ids()).as("the small topic's event did not overtake the big one's")
                .containsExactly(big.get().id(), small.get().id());
    }

    @Test
    void closingTheHubStopsItsFanOutThreads() throws Exception {
        TopicHub hub = hub(2);
        List<Client> clients = attachMany(hub, "t", LARGE);
        hub.publish("t", "x");
        await("the event handed over", () -> clients.get(LARGE - 1).channel().size() == 1);
        assertThat(clients.get(LARGE - 1).ids()).hasSize(1);

        hub.close();

        assertThat(liveThreadsNamed("runnel-fanout")).isZero();
        // a closed hub still delivers, on the publisher's thread
        Published after = hub.publish("t", "y");
        assertThat(after.subscribers()).isEqualTo(LARGE);
        assertThat(clients.get(LARGE - 1).ids()).containsExactly(after.id());
        assertThat(liveThreadsNamed("runnel-fanout")).isZero();
    }

    @Test
    void closingTheEngineLeavesNoFanOutThread() throws Exception {
        dev.runnel.SseEngine engine = dev.runnel.SseEngine.builder().build();
        TopicHub hub = (TopicHub) engine.hub();
        List<Client> clients = attachMany(hub, "t", LARGE);
        Published p = hub.publish("t", "x");
        await("the event handed over", () -> clients.get(0).channel().size() == 1);
        assertThat(clients.get(0).ids()).containsExactly(p.id());

        engine.close();

        assertThat(liveThreadsNamed("runnel-fanout")).isZero();
    }

    // ---- the publish answers before the fan-out ------------------------------------------------

    /** Counts the failed hand-offs the hub reports. */
    static final class FailedHandOffs implements EngineMetrics {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void handOffsFailed(int subscribers) {
            count.addAndGet(subscribers);
        }
    }

    /** A hub with {@code lanes} fan-out threads reporting to {@code metrics}, whose publishers wait once more than {@code backlog} offers are queued. */
    private TopicHub hub(int lanes, EngineMetrics metrics, long backlog) {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, metrics, null, lanes, backlog);
        hubs.add(hub);
        return hub;
    }

    /** Waits, within a generous time, until {@code condition} holds. */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void aPublishToTenThousandSubscribersAnswersBeforeTheirQueuesHaveTakenIt() throws Exception {
        TopicHub hub = hub(2);
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        // one slow-to-take subscriber at the head of each lane: nobody behind them has the event until they let go
        Client.attach(hub, "t", blocking(entered, release));
        Client.attach(hub, "t", blocking(entered, release));
        List<Client> clients = attachMany(hub, "t", 10_000 - 2);

        AtomicReference<Published> published = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().start(() -> published.set(hub.publish("t", "x")));
        try {
            assertThat(publisher.join(Duration.ofSeconds(20))).as("the publish answered while its fan-out was held up").isTrue();
            assertThat(published.get().subscribers()).as("the subscriptions registered when it was recorded").isEqualTo(10_000);
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(clients.stream().filter(c -> c.channel().size() > 0)).as("nobody behind the held lanes has it yet").isEmpty();
        } finally {
            release.countDown();
        }
        for (Client c : clients) {
            await("every subscriber has the event", () -> c.channel().size() == 1);
        }
        assertThat(clients.get(9_997).ids()).containsExactly(published.get().id());
    }

    @Test
    void aHandOffThatThrowsIsCountedInTheMetricsAndThePublishStillAnswersWithEverySubscriber() throws Exception {
        FailedHandOffs metrics = new FailedHandOffs();
        TopicHub hub = hub(2, metrics, FanOut.MAX_BACKLOG);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < LARGE; i++) {
            boolean throwsHere = i == 3 || i == LARGE - 4;
            clients.add(Client.attach(hub, "t", throwsHere ? v -> {
                if (v instanceof HubEvent) {
                    throw new OutOfMemoryError("offer broke");
                }
                return 0;
            } : PLAIN));
        }

        publishWithin(hub, "t", "x", LARGE);

        await("both failures counted", () -> metrics.count.get() == 2);
        await("both throwers cut off", () -> clients.get(3).cutOffs().get() == 1 && clients.get(LARGE - 4).cutOffs().get() == 1);
        await("the throwers left the topic", () -> hub.subscribers("t") == LARGE - 2);
        for (int i = 0; i < LARGE; i++) {
            if (i != 3 && i != LARGE - 4) {
                Client c = clients.get(i);
                await("subscriber " + i + " has the event", () -> c.channel().size() == 1);
            }
        }
        Published next = hub.publish("t", "y");
        assertThat(next.subscribers()).isEqualTo(LARGE - 2);
        assertThat(metrics.count).as("a thrower cut off is not counted again").hasValue(2);
        assertThat(clients.get(3).cutOffs()).hasValue(1);
    }

    @Test
    void metricsThatThrowCostNobodyTheEventAndTheThrowerIsStillCutOff() throws Exception {
        EngineMetrics broken = new EngineMetrics() {
            @Override
            public void handOffsFailed(int subscribers) {
                throw new IllegalStateException("metrics broke");
            }
        };
        TopicHub hub = hub(2, broken, FanOut.MAX_BACKLOG);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < LARGE; i++) {
            clients.add(Client.attach(hub, "t", i == 0 ? v -> {
                if (v instanceof HubEvent) {
                    throw new IllegalStateException("offer broke");
                }
                return 0;
            } : PLAIN));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(publishWithin(hub, "t", "e" + i, i == 0 ? LARGE : LARGE - 1));
            await("the thrower left the topic", () -> hub.subscribers("t") == LARGE - 1);
        }
        assertThat(clients.get(0).cutOffs()).hasValue(1);
        for (int i = 1; i < LARGE; i++) {
            Client c = clients.get(i);
            await("subscriber " + c + " has every event", () -> c.channel().size() == 3);
            assertThat(c.ids()).containsExactlyElementsOf(ids);
        }
    }

    @Test
    void slowSubscribersFoundByPartsQueuedWhenTheHubClosesAreStillCutOffOnce() throws Exception {
        TopicHub hub = hub(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Client.attach(hub, "t", blocking(entered, release)); // holds up the one lane
        attachMany(hub, "t", LARGE - 3);
        List<Client> slow = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ValueChannel full = new ValueChannel(1, Long.MAX_VALUE, PLAIN);
            full.offer("filler");
            AtomicInteger cutOffs = new AtomicInteger();
            Subscriber sub = new Subscriber(List.of("t"), full, SlowClientPolicy.DISCONNECT, cutOffs::incrementAndGet);
            hub.attach(sub, null);
            slow.add(new Client(sub, full, cutOffs));
        }
        publishWithin(hub, "t", "one", LARGE);
        publishWithin(hub, "t", "two", LARGE);
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

        Thread closing = Thread.ofVirtual().start(hub::close);
        awaitParked(closing);
        release.countDown();
        assertThat(closing.join(Duration.ofSeconds(20))).isTrue();

        for (Client c : slow) {
            await("a slow subscriber cut off", () -> c.cutOffs().get() == 1);
        }
        await("the slow subscribers left the topic", () -> hub.subscribers("t") == LARGE - 2);
        hub.publish("t", "three");
        assertThat(slow).allSatisfy(c -> assertThat(c.cutOffs()).hasValue(1));
        assertThat(liveThreadsNamed("runnel-fanout")).isZero();
    }

    @Test
    void aPublisherWaitsForTheFanOutOnceItsBacklogPassesTheBound() throws Exception {
        TopicHub hub = hub(1, EngineMetrics.NOOP, 2L * LARGE);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Client.attach(hub, "t", blocking(entered, release));
        List<Client> clients = attachMany(hub, "t", LARGE - 1);
        publishWithin(hub, "t", "one", LARGE);
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
        publishWithin(hub, "t", "two", LARGE); // two events' offers queued: at the bound, not past it

        AtomicReference<Published> third = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().start(() -> third.set(hub.publish("t", "three")));
        try {
            awaitParked(publisher);
            assertThat(third.get()).as("past the bound, the publisher waits for the fan-out").isNull();
        } finally {
            release.countDown();
        }
        assertThat(publisher.join(Duration.ofSeconds(20))).isTrue();
        assertThat(third.get().subscribers()).isEqualTo(LARGE);
        Client last = clients.get(LARGE - 2);
        await("every event handed over", () -> last.channel().size() == 3);
    }

    /** Waits until {@code t} parks (or ends). */
    private static void awaitParked(Thread t) throws InterruptedException {
        await(t + " parked", () -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING
                || t.getState() == Thread.State.TERMINATED);
    }

    /** Live threads whose name starts with {@code prefix}, from the JDK's thread dump. */
    static int liveThreadsNamed(String prefix) throws IOException {
        Path file = Files.createTempFile("runnel-threads", ".json");
        Files.delete(file); // dumpThreads refuses to overwrite
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            Matcher m = Pattern.compile("\"name\":\\s*\"" + Pattern.quote(prefix)).matcher(Files.readString(file));
            int count = 0;
            while (m.find()) {
                count++;
            }
            return count;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
