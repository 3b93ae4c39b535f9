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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

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
        read(hub); // learns the epoch
        return hub;
    }

    private TopicHub hub() {
        return hub(HubOptions.DEFAULTS);
    }

    /** One round of the reader: read what the hub asks for, and hand it over. */
    private void read(TopicHub hub) {
        LogFollower.Round round = hub.follower().nextRound();
        hub.follower().apply(round, hub.follower().read(round));
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
            List<Object> out = new ArrayList<>();
            channel.poll(out, Integer.MAX_VALUE, 0);
            return out.stream().map(v -> {
                String wire = new String(((Encoded) v).bytes(dev.runnel.Dialect.HTMX2), UTF_8);
                int at = wire.indexOf("data: ");
                return ((Encoded) v).id() + " " + wire.substring(at + 6, wire.indexOf('\n', at));
            }).toList();
        }
    }

    /** A subscriber registered and reading {@code topics}: it waited one read. */
    private Client subscribed(TopicHub hub, String... topics) {
        Client c = Client.attach(hub, null, topics);
        read(hub);
        assertThat(hub.subscribers(topics[0])).isPositive();
        return c;
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
    void aSubscriberWithoutIdOnATopicNotReadHereGetsEverythingPublishedAfterItSubscribed() throws Exception {
        TopicHub hub = hub();
        log.publish("t", "before");
        Client c = Client.attach(hub, null, "t");
        log.publish("t", "after, before the reader read");

        read(hub);
        log.publish("t", "live");
        read(hub);

        assertThat(log.wakes).isEqualTo(1);
        assertThat(c.drain()).containsExactly("100-2 after, before the reader read", "100-3 live");
    }

    @Test
    void aResumeThisNodesBufferCoversIsServedAtOnceWithoutARead() throws Exception {
        TopicHub hub = hub();
        Client first = subscribed(hub, "t");
        String seen = log.publish("t", "1");
        log.publish("t", "2");
        log.publish("t", "3");
        read(hub);
        first.drain();
        int reads = log.reads;

        Client back = Client.attach(hub, seen, "t");

        assertThat(back.drain()).containsExactly("100-2 2", "100-3 3");
        assertThat(log.reads).isEqualTo(reads);
        assertThat(hub.subscribers("t")).isEqualTo(2);
    }

    @Test
    void aResumeFromBeforeWhatThisNodeReadWaitsForOneReadAndGetsTheRestFromTheLog() throws Exception {
        TopicHub hub = hub();
        String seen = log.publish("t", "1");
        log.publish("u", "2");
        log.publish("t", "3");

        Client back = Client.attach(hub, seen, "t", "u");
        assertThat(back.drain()).as("waits for the reader").isEmpty();
        log.publish("u", "4");
        read(hub);
        log.publish("t", "5");
        read(hub);

        assertThat(back.drain()).containsExactly("100-2 2", "100-3 3", "100-4 4", "100-5 5");
    }

    @Test
    void aResumeFromBeyondTheReplayCountGetsTheResetWithTheNewestId() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(2, Duration.ofMinutes(5)));
        String seen = log.publish("t", "1");
        log.publish("t", "2");
        log.publish("t", "3");
        log.publish("t", "4");

        Client back = Client.attach(hub, seen, "t");
        read(hub);

        assertThat(back.drain()).singleElement().asString()
                .isEqualTo("100-4 {\"lastEventId\":\"100-1\",\"reason\":\"expired\"}");
    }

    @Test
    void aResumeFromBeforeEventsOlderThanTheReplayAgeGetsTheReset() throws Exception {
        TopicHub hub = hub(HubOptions.DEFAULTS.withReplay(100, Duration.ofSeconds(10)));
        String seen = log.publish("t", "1");
        log.publish("t", "2");
        log.nowMillis += 10_001;

        Client back = Client.attach(hub, seen, "t");
        read(hub);

        assertThat(back.drain()).singleElement().asString().contains("\"reason\":\"expired\"");
    }

    @Test
    void idsFromAnotherEpochOrBeyondTheHeadAreUnknownAndNonIdsMalformed() throws Exception {
        TopicHub hub = hub();
        log.publish("t", "1");
        Map<String, String> cases = Map.of("99-1", "unknown", "100-7", "unknown", "nope", "malformed");
        for (var c : cases.entrySet()) {
            Client back = Client.attach(hub, c.getKey(), "t");
            read(hub);
            assertThat(back.drain()).singleElement().asString().startsWith("100-1 ").contains("\"reason\":\"" + c.getValue() + "\"");
        }
    }

    @Test
    void eventsTheLogTrimmedBeforeThisNodeReadThemCutItsSubscribersOff() {
        TopicHub hub = hub();
        Client c = subscribed(hub, "burst");
        Client other = subscribed(hub, "calm");
        for (int i = 0; i < LogFollower.MIN_RETAIN + 5; i++) {
            log.publish("burst", "x" + i);
        }

        read(hub);

        assertThat(c.cutOffs()).hasValue(1);
        assertThat(other.cutOffs()).hasValue(0);
        assertThat(hub.subscribers("burst")).isZero();
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
        read(hub);
        assertThat(back.drain()).singleElement().asString().isEqualTo("200-0 {\"lastEventId\":\"100-1\",\"reason\":\"unknown\"}");
    }

    @Test
    void aWaitingSubscriberThatLeavesBeforeTheReadIsNeverRegistered() {
        TopicHub hub = hub();
        Client c = Client.attach(hub, null, "t");

        hub.detach(c.subscriber());
        read(hub);

        assertThat(hub.subscribers("t")).isZero();
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void aTopicNobodyHereSubscribesToAnyMoreIsNoLongerRead() {
        TopicHub hub = hub();
        Client c = subscribed(hub, "t");

        hub.detach(c.subscriber());

        assertThat(hub.follower().nextRound().after()).isEmpty();
        assertThat(hub.follower().watch().topics()).isEmpty();
    }

    @Test
    void aJsonCodecThatThrowsAnErrorStillLetsAWaitingSubscriberGetItsReset() throws Exception {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), v -> {
            throw new AssertionError("codec bug");
        }, HubOptions.DEFAULTS, dev.runnel.EngineMetrics.NOOP, log);
        read(hub);
        Client back = Client.attach(hub, "99-5", "t"); // an older epoch: waits for the read, which answers with a reset

        read(hub);

        assertThat(back.drain()).singleElement().asString().isEqualTo("100-0 {\"lastEventId\":\"99-5\",\"reason\":\"unknown\"}");
        assertThat(hub.subscribers("t")).isEqualTo(1);
        hub.detach(back.subscriber());
        assertThat(hub.topicCount()).isZero();
        assertThat(hub.follower().nextRound().after()).isEmpty();
    }

    @Test
    void aWaitingSubscriberWhoseQueueThrowsIsCutOffAndForgottenAndTheOthersAreServed() throws Exception {
        TopicHub hub = hub();
        ValueChannel broken = new ValueChannel(16, Long.MAX_VALUE, v -> {
            if (v instanceof Encoded) {
                throw new AssertionError("queueing the replay");
            }
            return 0;
        });
        AtomicInteger brokenCutOffs = new AtomicInteger();
        Subscriber bad = new Subscriber(List.of("t", "ü-topic"), broken, hub.options().slowClients(), brokenCutOffs::incrementAndGet);
        hub.attach(bad, "99-5");
        Client good = Client.attach(hub, "99-5", "t");

        read(hub);

        assertThat(brokenCutOffs).as("the subscriber whose queue threw").hasValue(1);
        assertThat(good.drain()).singleElement().asString().contains("\"reason\":\"unknown\"");
        assertThat(hub.subscribers("t")).isEqualTo(1);
        assertThat(hub.subscribers("ü-topic")).isZero();
        hub.detach(bad); // its stream ends: nothing left to do
        hub.detach(good.subscriber());
        assertThat(hub.topicCount()).as("no topic is kept for a subscriber that is gone").isZero();
        assertThat(hub.follower().nextRound().after()).as("topics still read").isEmpty();
        assertThat(hub.follower().watch().pending()).isFalse();
    }
}
