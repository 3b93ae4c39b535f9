package dev.runnel.redis;

import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Roster;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RedisRoster}: every node lists every node's entries; a node that stops beating is left out
 * and exactly one live node announces each of its entries' departure, another finishing when that one
 * dies midway; its heartbeat survives whatever its body throws; close stops its threads once.
 */
class RedisRosterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static final Duration DEAD_AFTER = Duration.ofMillis(800);
    private RedisServer redis;
    private final List<RedisHubLog> logs = new ArrayList<>();
    private final CountDownLatch testOver = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start(false);
    }

    @AfterEach
    void stop() {
        testOver.countDown();
        logs.forEach(RedisHubLog::close);
        redis.close();
    }

    private RedisHubLog log() {
        RedisHubLog log = RedisHubLog.builder(redis.uri()).liveness(HEARTBEAT, DEAD_AFTER).build();
        logs.add(log);
        return log;
    }

    /** A listener that records every departure (into {@code departed}) and every return. */
    private static Roster.Listener recording(List<Roster.Entry> departed, List<Roster.Entry> rejoined) {
        return new Roster.Listener() {
            @Override
            public void departed(Roster.Entry entry) {
                departed.add(entry);
            }

            @Override
            public void rejoined(Roster.Entry entry) {
                rejoined.add(entry);
            }
        };
    }

    private static List<String> keys(List<Roster.Entry> entries) {
        return entries.stream().map(Roster.Entry::key).toList();
    }

    @Test
    void everyNodeListsEveryNodesEntriesAndAWithdrawUnlistsAtOnce() {
        Roster a = log().roster("r", Roster.Listener.NONE);
        Roster b = log().roster("r", Roster.Listener.NONE);
        Roster other = log().roster("another", Roster.Listener.NONE);

        a.announce("k\u00e9y 1", "line one\nline two \u2603");
        b.announce("key 0", "");

        assertThat(b.entries()).containsExactly(new Roster.Entry("key 0", ""), new Roster.Entry("k\u00e9y 1", "line one\nline two \u2603"));
        assertThat(b.find("k\u00e9y 1")).hasValue(new Roster.Entry("k\u00e9y 1", "line one\nline two \u2603"));
        assertThat(b.find("")).isEmpty();
        assertThat(b.find("key")).isEmpty();
        assertThat(other.entries()).isEmpty();
        assertThat(a.withdraw("k\u00e9y 1")).isTrue();
        assertThat(b.find("k\u00e9y 1")).isEmpty();
        assertThat(keys(a.entries())).containsExactly("key 0");
    }

    @Test
    void whenANodeDiesExactlyOneOfThreeSurvivorsAnnouncesEachDeparture() throws Exception {
        RedisRoster dying = (RedisRoster) log().roster("r", Roster.Listener.NONE);
        List<Roster.Entry> departed = new CopyOnWriteArrayList<>();
        List<Roster> survivors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            survivors.add(log().roster("r", recording(departed, new CopyOnWriteArrayList<>())));
        }
        List<String> held = IntStream.range(0, 40).mapToObj(i -> "entry-" + i).toList();
        held.forEach(k -> dying.announce(k, "v"));
        survivors.get(0).announce("survivor's", "v");

        long died = System.nanoTime();
        dying.crash();

        Await.until(() -> departed.size() >= held.size(), "every departure announced", WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - died)).isLessThan(Duration.ofSeconds(10));
        Thread.sleep(DEAD_AFTER.multipliedBy(3).toMillis()); // room for a second announcement, were there one
        assertThat(keys(departed)).hasSize(held.size()).containsExactlyInAnyOrderElementsOf(held);
        for (Roster r : survivors) {
            assertThat(keys(r.entries())).containsExactly("survivor's");
        }
    }

    @Test
    void whenTheNodeAnnouncingDeparturesDiesMidwayAnotherFinishes() throws Exception {
        RedisRoster dying = (RedisRoster) log().roster("r", Roster.Listener.NONE);
        List<String> held = IntStream.range(0, 10).mapToObj(i -> "entry-" + i).toList();
        held.forEach(k -> dying.announce(k, "v"));
        List<Roster.Entry> departed = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        RedisRoster[] first = new RedisRoster[1];
        first[0] = (RedisRoster) log().roster("r", new Roster.Listener() {
            @Override
            public void departed(Roster.Entry entry) {
                if (calls.incrementAndGet() == 4) {
                    first[0].crash(); // dies with this entry in hand: it never finishes announcing it
                    try {
                        testOver.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("dead");
                }
                departed.add(entry);
            }

            @Override
            public void rejoined(Roster.Entry entry) {
            }
        });
        dying.crash();
        Await.until(() -> calls.get() >= 4, "the first claimant in hand with its fourth", WAIT);

        log().roster("r", recording(departed, new CopyOnWriteArrayList<>()));

        Await.until(() -> departed.size() >= held.size(), "every departure announced", WAIT);
        Thread.sleep(DEAD_AFTER.multipliedBy(2).toMillis());
        assertThat(keys(departed)).containsExactlyInAnyOrderElementsOf(held);
    }

    @Test
    void aHeartbeatWhoseBodyThrowsGoesOnBeating() throws Exception {
        RedisRoster flaky = (RedisRoster) log().roster("r", Roster.Listener.NONE);
        AtomicInteger beats = new AtomicInteger();
        flaky.beatProbe = () -> {
            int n = beats.incrementAndGet();
            if (n % 2 == 1) { // every other beat fails, each way a body can
                switch (n % 6) {
                    case 1 -> throw new IllegalStateException("a bug in the beat");
                    case 3 -> throw new AssertionError("an error in the beat");
                    default -> throw new HubUnavailableException("Redis is down, says the beat");
                }
            }
        };
        flaky.announce("kept", "v");
        List<Roster.Entry> departed = new CopyOnWriteArrayList<>();
        Roster watcher = log().roster("r", recording(departed, new CopyOnWriteArrayList<>()));

        Await.until(() -> beats.get() >= 20, "twenty beats, ten of them thrown", WAIT);

        assertThat(departed).as("never taken for dead").isEmpty();
        assertThat(keys(watcher.entries())).containsExactly("kept");
        assertThat(flaky.stopped()).isFalse();
    }

    @Test
    void closeStopsBothThreadsOnceAndLeavesItsEntriesToTheOthersAtOnce() throws Exception {
        RedisRoster leaving = (RedisRoster) log().roster("r", Roster.Listener.NONE);
        List<Roster.Entry> departed = new CopyOnWriteArrayList<>();
        Roster staying = log().roster("r", recording(departed, new CopyOnWriteArrayList<>()));
        leaving.announce("left behind", "v");
        Thread.sleep(DEAD_AFTER.toMillis()); // both healthy long enough to judge others

        leaving.close();
        leaving.close();

        assertThat(leaving.stopped()).isTrue();
        assertThat(staying.entries()).as("unlisted at once").isEmpty();
        Await.until(() -> departed.size() == 1, "its departure announced by the other", WAIT);
        assertThatThrownBy(() -> leaving.announce("late", "v")).isInstanceOf(HubUnavailableException.class);
    }

    @Test
    void aNodeTakenForDeadListsItsEntriesAgainAfterTheirDepartures() throws Exception {
        RedisHubLog log = log();
        List<Roster.Entry> departed = new CopyOnWriteArrayList<>();
        Roster other = log().roster("r", recording(departed, new CopyOnWriteArrayList<>()));
        List<Roster.Entry> rejoined = new CopyOnWriteArrayList<>();
        RedisRoster back = (RedisRoster) log.roster("r", recording(new CopyOnWriteArrayList<>(), rejoined));
        back.announce("mine", "v");
        String formerId = back.currentNode();
        // it stalls longer than its liveness allows
        CountDownLatch stalled = new CountDownLatch(1);
        back.beatProbe = () -> {
            try {
                stalled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Await.until(() -> departed.size() == 1, "its departure announced by the other", WAIT);
        assertThat(other.entries()).isEmpty();

        stalled.countDown();
        back.beatProbe = () -> { };

        Await.until(() -> rejoined.size() == 1, "listed again", WAIT);
        assertThat(back.currentNode()).isNotEqualTo(formerId);
        assertThat(keys(other.entries())).containsExactly("mine");
        assertThat(back.withdraw("mine")).isTrue();
        assertThat(other.entries()).isEmpty();
        assertThat(departed).hasSize(1);
    }

    @Test
    void aKeyAnnouncedAgainAfterAWithdrawThatFoundRedisDownStaysListed() throws Exception {
        try (dev.runnel.testkit.FaultProxy proxy = dev.runnel.testkit.FaultProxy.to(redis.port())) {
            // a beat long enough that the retry of the lost withdraw comes after the new announce
            RedisHubLog cut = RedisHubLog.builder(URI.create("redis://127.0.0.1:" + proxy.port()))
                    .liveness(Duration.ofSeconds(1), Duration.ofSeconds(30)).build();
            logs.add(cut);
            List<Roster.Entry> departed = new CopyOnWriteArrayList<>();
            Roster roster = cut.roster("r", recording(departed, new CopyOnWriteArrayList<>()));
            roster.announce("k", "first");

            proxy.refuse(true);
            proxy.cutAll();
            assertThat(roster.withdraw("k")).as("Redis cannot be reached: the roster announces the departure later").isFalse();
            proxy.refuse(false);
            Await.until(() -> {
                try {
                    roster.announce("k", "second");
                    return true;
                } catch (HubUnavailableException stillReconnecting) {
                    return false;
                }
            }, "the same key announced again once Redis answers", WAIT);

            Await.until(() -> departed.contains(new Roster.Entry("k", "first")), "the first entry's departure announced", WAIT);
            Thread.sleep(1_500); // another round of the roster's retries
            assertThat(roster.entries()).as("the entry announced again is still listed").containsExactly(new Roster.Entry("k", "second"));
            assertThat(departed).containsExactly(new Roster.Entry("k", "first"));
        }
    }
}
