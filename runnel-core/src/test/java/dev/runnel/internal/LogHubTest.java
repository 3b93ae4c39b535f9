package dev.runnel.internal;

import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hub on a shared log, driven one read at a time against a log in this process: what the
 * reader delivers and in which order, who is served at once and who waits for a read, and what
 * happens when the log drops or loses events. The same rules over Redis: {@code RedisHubTest}.
 */
class LogHubTest {

    /** A log in memory with the contract of {@link HubLog}: one sequence, one hub-wide list of entries. */
    static final class FakeLog implements HubLog {
        String epoch = "100";
        long head;
        long nowMillis = 1_000_000;
        final List<Entry> entries = new ArrayList<>();
        long trimmed;
        int reads;
        int wakes;

        @Override
        public Position append(Map<String, String> fields, int retain) {
            entries.add(new Entry(++head, nowMillis, fields));
            while (entries.size() > retain) {
                trimmed = entries.remove(0).seq();
            }
            return new Position(epoch, head);
        }

        /** What another node publishes. */
        String publish(String topic, String data) {
            return epoch + "-" + append(Map.of("t", "e", "d", data, LogFollower.TOPICS_FIELD, topic), LogFollower.MIN_RETAIN).seq();
        }

        /** Drops every entry of {@code topic} through {@code seq}, as retention would. */
        void trim(String topic, long seq) {
            entries.removeIf(e -> e.seq() <= seq && topic.equals(e.fields().get(LogFollower.TOPICS_FIELD)));
            trimmed = Math.max(trimmed, seq);
        }

        @Override
        public Position head() {
            return new Position(epoch, head);
        }

        @Override
        public Batch read(String asked, long after, int limit) {
            reads++;
            List<Entry> out = List.of();
            if (epoch.equals(asked)) {
                out = entries.stream().filter(e -> e.seq() > after).limit(limit).toList();
            }
            return new Batch(epoch, head, nowMillis, out, trimmed);
        }

        @Override
        public void await(String epoch, long after, Duration timeout) {
        }

        @Override
        public void wake() {
            wakes++;
        }

        @Override
        public boolean ping(Duration timeout) {
            return true;
        }

        @Override
        public void close() {
        }

        /** The store lost everything and started again. */
        void wipe() {
            epoch = "200";
            head = 0;
            entries.clear();
            trimmed = 0;
        }
    }

    private final FakeLog log = new FakeLog();

    private TopicHub hub(HubOptions options) {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, options, dev.runnel.EngineMetrics.NOOP, log);
        read(hub); // learns the epoch and loads the log
        return hub;
    }

    private TopicHub hub() {
        return hub(HubOptions.DEFAULTS);
    }

    /** Rounds of the reader until it has read everything: what the reader's thread does, one round at a time. */
    static void catchUp(TopicHub hub, FakeLog log) {
        for (int i = 0; i < 10_000; i++) {
            LogFollower.Round round = hub.follower().nextRound();
            if (!hub.follower().apply(round, log.read(round.epoch(), round.cut(), LogFollower.READ_LIMIT))) {
                return;
            }
        }
        throw new AssertionError("the reader never caught up");
    }

    private void read(TopicHub hub) {
        catchUp(hub, log);
    }

    private record Client(Subscriber subscriber, ValueChannel channel, AtomicInteger cutOffs) {

        static Client attach(TopicHub hub, String lastEventId, String... topics) {
            ValueChannel channel = hub.newChannel();
            AtomicInteger cutOffs = new AtomicInteger();
            var subscriber = new Subscriber(List.of(topics), channel, hub.options().slowClients(), cutOffs::incrementAndGet);
            hub.attach(subscriber, lastEventId);
            return new Client(subscriber, channel, cutOffs);
        }

        List<String> drain() throws InterruptedException {
            return Queued.drain(channel);
        }
    }

    private Client subscribed(TopicHub hub, String... topics) {
        return Client.attach(hub, null, topics);
    }

    @Test
    void aPublishOnlyAppendsToTheLogAndSubscribersGetItFromTheNextRead() throws Exception {
        TopicHub hub = hub();
        Client c = subscribed(hub, "news");

        Published p = hub.publish("news", "hello");

        assertThat(p).isEqualTo(new Published("100-1", 1));
        assertThat(c.drain()).isEmpty();
        read(hub);
        assertThat(c.drain()).containsExactly("100-1 hello");
    }

    @Test
    void eventsOfSeveralTopicsAreDeliveredInSequenceOrder() throws Exception {
        TopicHub hub = hub();
        Client c = subscribed(hub, "a", "b");
        log.publish("a", "a1");
        log.publish("b", "b1");
        log.publish("a", "a2");
        log.publish("c", "not subscribed");
        log.publish("b", "b2");

        read(hub);

        assertThat(c.drain()).containsExactly("100-1 a1", "100-2 b1", "100-3 a2", "100-5 b2");
    }

    @Test
    void aNodeThatStartsLoadsTheLogsHistoryAndResumesFromIt() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < LogFollower.READ_LIMIT * 2 + 10; i++) { // several reads' worth
            ids.add(log.publish(i % 2 == 0 ? "t" : "u", "e" + i));
        }

        TopicHub hub = hub();
        Client back = Client.attach(hub, ids.get(ids.size() - 5), "t", "u");

        int n = ids.size();
        assertThat(back.drain()).containsExactly(ids.get(n - 4) + " e" + (n - 4), ids.get(n - 3) + " e" + (n - 3),
                ids.get(n - 2) + " e" + (n - 2), ids.get(n - 1) + " e" + (n - 1));
    }

    @Test
    void aLoadingNodeDeliversNothingOfTheHistoryLive() throws Exception {
        for (int i = 0; i < 5; i++) {
            log.publish("t", "old" + i);
        }
        TopicHub hub = hub();
        Client c = subscribed(hub, "t");
        log.publish("t", "new");

        read(hub);

        assertThat(c.drain()).containsExactly("100-6 new");
    }

    @Test
    void aLiveSubscriberThatArrivesWhileTheNodeStillLoadsGetsNoneOfTheHistory() throws Exception {
        for (int i = 0; i < LogFollower.READ_LIMIT + 10; i++) { // more than one read, all retained
            log.append(Map.of("t", "e", "d", "old" + i, LogFollower.TOPICS_FIELD, "t"), 10_000);
        }
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, dev.runnel.EngineMetrics.NOOP, log);
        for (int round = 0; round < 2; round++) { // the epoch, then the first full page: still loading
            LogFollower.Round r = hub.follower().nextRound();
            hub.follower().apply(r, log.read(r.epoch(), r.cut(), LogFollower.READ_LIMIT));
        }
        assertThat(hub.isReady()).as("still loading").isFalse();
        java.util.concurrent.CompletableFuture<Client> subscribing = new java.util.concurrent.CompletableFuture<>();
        Thread arriving = Thread.ofPlatform().start(() -> {
            try {
                subscribing.complete(subscribed(hub, "t"));
            } catch (Throwable e) {
                subscribing.completeExceptionally(e);
            }
        });
        while (arriving.getState() != Thread.State.TIMED_WAITING && !subscribing.isDone()) {
            Thread.onSpinWait(); // until it waits for the load (or, wrongly, did not)
        }
        read(hub); // the rest of the load
        Client c = subscribing.get(10, java.util.concurrent.TimeUnit.SECONDS);

        String fresh = log.publish("t", "new");
        read(hub);

        assertThat(c.drain()).as("the history is replay material, never live events").containsExactly(fresh + " new");
    }

    @Test
    void aLiveSubscriptionOnANodeThatCannotLoadTheLogIsUnavailable() {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, dev.runnel.EngineMetrics.NOOP, log);

        assertThatThrownBy(() -> subscribed(hub, "t")).isInstanceOf(dev.runnel.hub.HubUnavailableException.class)
                .hasMessageContaining("not loaded");
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void anEntryThisNodeCannotDecodeIsAGapThatAResumeAcrossItIsToldOf() throws Exception {
        TopicHub hub = hub();
        String seen = log.publish("t", "1");
        log.append(Map.of("t", "a-kind-from-a-newer-node", LogFollower.TOPICS_FIELD, "t"), LogFollower.MIN_RETAIN);
        log.publish("t", "3");
        read(hub);

        Client back = Client.attach(hub, seen, "t");

        assertThat(back.drain()).as("event 100-2 of t is not here: no replay may pretend it is whole")
                .singleElement().asString().contains("\"reason\":\"expired\"");
    }

    @Test
    void aRoundThatFailsHalfWayIsReadAgainWithoutDeliveringAnEventTwice() throws Exception {
        TopicHub hub = hub();
        java.util.concurrent.atomic.AtomicBoolean failOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.runnel.hub.TopicSelector fragile = dev.runnel.hub.TopicSelector.matching("fragile", t -> {
            if (t.equals("bad") && failOnce.getAndSet(false)) {
                throw new OutOfMemoryError("an allocation in the matcher"); // a VirtualMachineError passes the cache
            }
            return true;
        });
        ValueChannel channel = hub.newChannel();
        hub.attach(new Subscriber(new Selection(List.of(), List.of(fragile), List.of()), channel, hub.options().slowClients(), () -> { }), null);
        log.publish("good", "1");
        log.publish("bad", "2");
        log.publish("good", "3");

        assertThatThrownBy(() -> read(hub)).isInstanceOf(OutOfMemoryError.class);
        read(hub); // the reader's next round

        List<Object> out = new ArrayList<>();
        channel.poll(out, Integer.MAX_VALUE, 0);
        assertThat(out).extracting(v -> ((Encoded) v).id()).containsExactly("100-1", "100-2", "100-3");
        Client back = Client.attach(hub, "100-0", "good", "bad");
        assertThat(back.drain()).as("each buffered once").containsExactly("100-1 1", "100-2 2", "100-3 3");
    }

    @Test
    void anEntryNamingATopicTwiceIsBufferedOnceAndTakesOneReplaySlot() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(2, Duration.ofMinutes(5)));
        String seen = log.publish("t", "1");
        log.append(Map.of("t", "e", "d", "2", LogFollower.TOPICS_FIELD, "t\nt"), LogFollower.MIN_RETAIN); // another node's, or by hand
        read(hub);

        Client back = Client.attach(hub, seen, "t");

        assertThat(back.drain()).containsExactly("100-2 2");
        Client all = Client.attach(hub, "100-0", "t");
        assertThat(all.drain()).as("2 of 2 slots: both events").containsExactly("100-1 1", "100-2 2");
    }

    @Test
    void aResumeIsServedFromThisNodesHistoryWithoutARead() throws Exception {
        TopicHub hub = hub();
        String seen = log.publish("t", "1");
        log.publish("u", "2");
        log.publish("t", "3");
        read(hub);
        int reads = log.reads;

        Client back = Client.attach(hub, seen, "t", "u");

        assertThat(back.drain()).containsExactly("100-2 2", "100-3 3");
        assertThat(log.reads).isEqualTo(reads);
    }

    @Test
    void aResumeFromBeyondTheReplayCountGetsTheResetWithTheNewestId() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(2, Duration.ofMinutes(5)));
        String seen = log.publish("t", "1");
        log.publish("t", "2");
        log.publish("t", "3");
        log.publish("t", "4");
        read(hub);

        Client back = Client.attach(hub, seen, "t");

        assertThat(back.drain()).singleElement().asString()
                .isEqualTo("100-4 {\"lastEventId\":\"100-1\",\"reason\":\"expired\"}");
    }

    @Test
    void aResumeFromBeforeEventsOlderThanTheReplayAgeGetsTheReset() throws Exception {
        String seen = log.publish("t", "1");
        log.publish("t", "2");
        log.nowMillis += 10_001;
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(100, Duration.ofSeconds(10)));

        Client back = Client.attach(hub, seen, "t");

        assertThat(back.drain()).singleElement().asString().contains("\"reason\":\"expired\"");
    }

    @Test
    void idsFromAnOlderEpochAreUnknownAndNonIdsMalformedWithoutWaitingForTheReader() throws Exception {
        TopicHub hub = hub();
        log.publish("t", "1");
        read(hub);
        Map<String, String> cases = Map.of("99-1", "unknown", "nope", "malformed");
        for (var c : cases.entrySet()) {
            Client back = Client.attach(hub, c.getKey(), "t");
            assertThat(back.drain()).singleElement().asString().startsWith("100-1 ").contains("\"reason\":\"" + c.getValue() + "\"");
        }
    }

    @Test
    void eventsTheLogTrimmedBeforeThisNodeReadThemCutEverySubscriberOffAndTheirResumesFindTheGap() throws Exception {
        TopicHub hub = hub();
        Client c = subscribed(hub, "burst");
        Client other = subscribed(hub, "calm");
        String seen = log.publish("calm", "0");
        read(hub);
        for (int i = 0; i < LogFollower.MIN_RETAIN + 5; i++) {
            log.publish("burst", "x" + i);
        }

        read(hub);

        assertThat(c.cutOffs()).hasValue(1);
        assertThat(other.cutOffs()).as("a node that missed events cannot tell whose they were").hasValue(1);
        assertThat(hub.presence()).isEmpty();
        Client back = Client.attach(hub, seen, "calm");
        assertThat(back.drain()).singleElement().asString().contains("\"reason\":\"expired\"");
    }

    @Test
    void whenTheLogLosesItsDataEverySubscriberIsCutOffAndOldIdsAreUnknown() throws Exception {
        TopicHub hub = hub();
        Client c = subscribed(hub, "t");
        String seen = log.publish("t", "1");
        read(hub);

        log.wipe();
        read(hub);

        assertThat(c.cutOffs()).hasValue(1);
        assertThat(hub.presence()).isEmpty();
        Client back = Client.attach(hub, seen, "t");
        assertThat(back.drain()).singleElement().asString().isEqualTo("200-0 {\"lastEventId\":\"100-1\",\"reason\":\"unknown\"}");
    }

    @Test
    void aJsonCodecThatThrowsAnErrorStillLetsASubscriberGetItsReset() throws Exception {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), v -> {
            throw new AssertionError("codec bug");
        }, HubOptions.DEFAULTS, dev.runnel.EngineMetrics.NOOP, log);
        read(hub);

        Client back = Client.attach(hub, "99-5", "t"); // an older epoch

        assertThat(back.drain()).singleElement().asString().isEqualTo("100-0 {\"lastEventId\":\"99-5\",\"reason\":\"unknown\"}");
        assertThat(hub.subscribers("t")).isEqualTo(1);
        hub.detach(back.subscriber());
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void aSubscriberWhoseQueueThrowsOnItsReplayIsNeverRegistered() throws Exception {
        TopicHub hub = hub();
        log.publish("t", "1");
        read(hub);
        ValueChannel broken = new ValueChannel(16, Long.MAX_VALUE, v -> {
            if (v instanceof Encoded) {
                throw new AssertionError("queueing the replay");
            }
            return 0;
        });
        Subscriber bad = new Subscriber(List.of("t", "ü-topic"), broken, hub.options().slowClients(), () -> { });

        assertThatThrownBy(() -> hub.attach(bad, "100-0")).isInstanceOf(AssertionError.class);

        assertThat(hub.subscribers("t")).isZero();
        assertThat(hub.subscribers("ü-topic")).isZero();
        assertThat(hub.topicCount()).as("no topic made for it stays").isEqualTo(1);
        Client good = Client.attach(hub, "100-0", "t");
        assertThat(good.drain()).containsExactly("100-1 1");
    }
}
