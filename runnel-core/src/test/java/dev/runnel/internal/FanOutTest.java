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
 * A large topic's fan-out: its slices run on the hub's own threads, the publisher never waits for
 * them while it holds the hub's lock, a subscriber that throws costs only itself the event, every
 * subscriber still sees one order, and closing the hub stops its threads.
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
            assertThat(p.subscribers()).as("publish " + i).isEqualTo(LARGE - 2);
            ids.add(p.id());
        }

        for (int i = 0; i < LARGE; i++) {
            Client c = clients.get(i);
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
                ids.add(publishWithin(hub, "t", "e" + i, LARGE - 1));
            }
            String smallId = publishWithin(hub, "small", "s", 1);

            for (int i = 0; i < LARGE; i++) {
                Client c = clients.get(i);
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
        assertThat(published.get().subscribers()).as("subscribers that took " + value).isEqualTo(expectedSubscribers);
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
        assertThat(published.get().subscribers()).as("the count waits for every slice").isEqualTo(LARGE);
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
        assertThat(both.ids()).as("the small topic's event did not overtake the big one's")
                .containsExactly(big.get().id(), small.get().id());
    }

    @Test
    void closingTheHubStopsItsFanOutThreads() throws Exception {
        TopicHub hub = hub(2);
        List<Client> clients = attachMany(hub, "t", LARGE);
        hub.publish("t", "x");
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
        assertThat(clients.get(0).ids()).containsExactly(p.id());

        engine.close();

        assertThat(liveThreadsNamed("runnel-fanout")).isZero();
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
