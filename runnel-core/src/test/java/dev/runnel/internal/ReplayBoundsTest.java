package dev.runnel.internal;

import dev.runnel.Dialect;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.SlowClientPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The replay buffers of all topics together: bounded in bytes, oldest first whatever the topic, and trimmed by age on a timer. */
class ReplayBoundsTest {

    private static TopicHub hub(HubOptions options) {
        return new TopicHub(new ValueFormatter(null, null), null, options);
    }

    /** Attaches a subscriber resuming from {@code lastEventId} and returns what it is given first. */
    private static List<Object> resume(TopicHub hub, String lastEventId, String... topics) throws InterruptedException {
        ValueChannel channel = hub.newChannel();
        hub.attach(new Subscriber(List.of(topics), channel, SlowClientPolicy.DISCONNECT, () -> { }), lastEventId);
        List<Object> out = new ArrayList<>();
        channel.poll(out, Integer.MAX_VALUE, 0);
        return out;
    }

    private static List<String> ids(List<Object> values) {
        return values.stream().map(v -> ((Encoded) v).id()).toList();
    }

    private static String resetReason(List<Object> values) {
        assertThat(values).hasSize(1);
        assertThat(values.get(0)).isInstanceOf(ControlEvent.class);
        String wire = new String(((ControlEvent) values.get(0)).bytes(Dialect.HTMX2), UTF_8);
        assertThat(wire).contains("event: runnel:reset");
        return wire.replaceAll("(?s).*\"reason\":\"([a-z]+)\".*", "$1");
    }

    @Test
    void theBuffersOfManyTopicsTogetherNeverHoldMoreThanTheByteBound() {
        long bound = 64 * 1024;
        TopicHub hub = hub(HubOptions.DEFAULTS.withMaxReplayBytes(bound));
        Random random = new Random(42);
        long largest = 0;
        for (int i = 0; i < 6_000; i++) {
            // sizes from nothing to several KiB, with characters of one to four bytes in UTF-8
            String value = "é€\uD83D\uDE00x".repeat(random.nextInt(400)) + i;
            hub.publish("topic-" + random.nextInt(200), value);
            largest = Math.max(largest, 2L * value.getBytes(UTF_8).length + 200);
            assertThat(hub.replayBytes()).as("bytes held after publish " + i).isLessThanOrEqualTo(bound);
        }
        assertThat(hub.replayBytes()).as("the buffers are used up to the bound, not emptied").isGreaterThan(bound - largest);
    }

    @Test
    void eventsThatLeftTheirBuffersDoNotStayReachableBeyondTheByteBound() {
        long bound = 1 << 20;
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(1, Duration.ofHours(1)).withMaxReplayBytes(bound));
        hub.publish("keep", "small, young, and first in the order: the timed trim stops at it");
        String big = "ü".repeat(128 * 1024); // 256 KiB in UTF-8
        for (int i = 0; i < 200; i++) {
            hub.publish("hot", big + i); // each replaces the one before: the topic keeps one event
            hub.trimExpired();
            assertThat(hub.replayBytes()).isLessThanOrEqualTo(bound);
            assertThat(hub.referencedReplayBytes()).as("bytes still reachable after publish " + i).isLessThanOrEqualTo(2 * bound);
        }
    }

    @Test
    void theOldestEventsGoFirstWhateverTheirTopicAndAResumeFromBeforeThemIsExpired() throws Exception {
        String kilobyte = "k".repeat(1024);
        TopicHub probe = hub(HubOptions.DEFAULTS);
        probe.publish("p", kilobyte);
        long cost = probe.replayBytes();
        // room for fourteen such events (ids a digit longer fit in the slack), not fifteen
        TopicHub hub = hub(HubOptions.DEFAULTS.withMaxReplayBytes(14 * cost + cost / 2));
        String first = hub.publish("old", kilobyte).id();
        String second = hub.publish("old", kilobyte).id();
        String third = hub.publish("old", kilobyte).id();
        List<String> busy = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            busy.add(hub.publish("busy", kilobyte).id());
        }
        // sixteen events, room for fourteen: the two oldest go, though their topic is not the one published to
        assertThat(resetReason(resume(hub, first, "old"))).isEqualTo("expired");
        assertThat(ids(resume(hub, second, "old"))).containsExactly(third);
        assertThat(ids(resume(hub, busy.get(0), "busy"))).as("the busy topic keeps every event")
                .containsExactlyElementsOf(busy.subList(1, busy.size()));
    }

    @Test
    void aTopicWhoseEventsWereAllEvictedIsDroppedAndAResumeOnItIsExpired() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withMaxReplayBytes(8 * 1024));
        String seen = hub.publish("gone", "a").id();
        hub.publish("gone", "b");
        for (int i = 0; i < 100; i++) {
            hub.publish("other", "x".repeat(500));
        }
        assertThat(hub.topicCount()).as("only the topic with events left").isEqualTo(1);
        assertThat(resetReason(resume(hub, seen, "gone"))).isEqualTo("expired");
    }

    @Test
    void anEventLargerThanTheWholeBoundIsDeliveredButNotKept() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withMaxReplayBytes(4 * 1024));
        ValueChannel channel = hub.newChannel();
        hub.attach(new Subscriber(List.of("t"), channel, SlowClientPolicy.DISCONNECT, () -> { }), null);
        String before = hub.publish("t", "small").id();
        hub.publish("t", "x".repeat(8 * 1024));
        List<Object> live = new ArrayList<>();
        channel.poll(live, 10, 0);
        assertThat(live).hasSize(2);
        assertThat(hub.replayBytes()).isZero();
        assertThat(resetReason(resume(hub, before, "t"))).isEqualTo("expired");
    }

    @Test
    void theTimedTrimDropsAnIdleTopicsExpiredEventsAndKeepsFreshOnes() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(100, Duration.ofSeconds(1)));
        String idle = hub.publish("idle", "old").id();
        hub.publish("idle", "older still than what follows");
        Thread.sleep(1200);
        String fresh = hub.publish("fresh", "new").id();
        assertThat(hub.topicCount()).as("nothing trims an idle topic until asked").isEqualTo(2);

        hub.trimExpired();

        assertThat(hub.topicCount()).as("the idle topic went with its events").isEqualTo(1);
        assertThat(resetReason(resume(hub, idle, "idle"))).isEqualTo("expired");
        assertThat(ids(resume(hub, idle, "fresh"))).containsExactly(fresh);
    }

    @Test
    void theTimedTrimNeverWaitsForTheHubsLock() throws Exception {
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch unlock = new CountDownLatch(1);
        // the hub writes a reset event's JSON under its lock: a codec that waits there holds the lock
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), value -> {
            locked.countDown();
            unlock.await();
            return "{}";
        }, HubOptions.DEFAULTS.withReplay(100, Duration.ofMillis(100)));
        hub.publish("t", "soon expired");
        Thread holder = Thread.ofVirtual().start(() -> {
            try {
                resume(hub, "malformed", "t"); // stays subscribed, so the topic outlives its events
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(150);
            FutureTask<Void> trim = new FutureTask<>(hub::trimExpired, null);
            Thread.ofVirtual().start(trim);
            trim.get(10, TimeUnit.SECONDS); // returns while the lock is held; a wait would time out
        } finally {
            unlock.countDown();
            holder.join();
        }
        assertThat(hub.replayBytes()).as("skipped while the lock was held").isPositive();
        hub.trimExpired();
        assertThat(hub.replayBytes()).as("trimmed once the lock was free").isZero();
    }

    @Test
    void onALogAResumeFromBeforeWhatTheNodesHistoryHoldsGetsTheExpiredReset() throws Exception {
        LogHubTest.FakeLog log = new LogHubTest.FakeLog();
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null,
                HubOptions.DEFAULTS.withMaxReplayBytes(8 * 1024), dev.runnel.EngineMetrics.NOOP, log);
        Runnable read = () -> LogHubTest.catchUp(hub, log);
        read.run(); // learns the epoch
        ValueChannel live = hub.newChannel();
        hub.attach(new Subscriber(List.of("t"), live, SlowClientPolicy.DISCONNECT, () -> { }), null);
        read.run(); // now reads "t"
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            published.add(log.publish("t", "k".repeat(1024)));
        }
        read.run();
        assertThat(hub.replayBytes()).as("this node keeps only what fits").isLessThanOrEqualTo(8 * 1024);

        ValueChannel back = hub.newChannel();
        hub.attach(new Subscriber(List.of("t"), back, SlowClientPolicy.DISCONNECT, () -> { }), published.get(0));
        // every node holds the same history, bounded the same way: what one evicted, all did
        List<Object> replayed = new ArrayList<>();
        back.poll(replayed, Integer.MAX_VALUE, 0);
        assertThat(replayed).singleElement().extracting(v -> new String(((Encoded) v).bytes(dev.runnel.Dialect.HTMX2),
                java.nio.charset.StandardCharsets.UTF_8)).asString().contains("runnel:reset").contains("expired");
    }

    @Test
    void aByteBoundBelowOneKibibyteIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> HubOptions.DEFAULTS.withMaxReplayBytes(1023))
                .withMessageContaining("maxReplayBytes").withMessageContaining("1023");
        assertThat(HubOptions.DEFAULTS.maxReplayBytes()).isEqualTo(64L * 1024 * 1024);
    }
}
