package dev.runnel.internal;

import dev.runnel.hub.HubOptions;
import dev.runnel.hub.SlowClientPolicy;
import dev.runnel.hub.TopicSelector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's books stay exact whatever mix of multi-topic events, publishers' ids, trims (count, age,
 * bytes, events), refused topics, resumes, subscribes and detaches runs: every buffered event counts the
 * buffers that hold it, the byte budget is the sum of the buffered events, each buffer is in sequence
 * order (what dropping the oldest relies on), the id index names only the newest buffered event with its
 * id, and no topic is kept that nothing keeps. Random steps from fixed seeds, on the log path, whose
 * clock the test moves.
 */
class HubBookkeepingTest {

    private static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f", "g");
    private static final List<String> IDS = List.of("x", "y", "z");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void theBooksStayExactThroughRandomSteps(long seed) {
        Random random = new Random(seed);
        HubOptions options = HubOptions.DEFAULTS.withPublisherIds(true)
                .withReplay(1 + random.nextInt(3), Duration.ofSeconds(10))
                .withMaxTopics(5)
                .withMaxHistory(4 + random.nextInt(6))
                .withMaxReplayBytes(1024 + 256L * random.nextInt(8));
        LogHubTest.FakeLog log = new LogHubTest.FakeLog();
        TopicStore store = new TopicStore(options, null, true);
        SubscriberRegistry registry = new SubscriberRegistry(store);
        Replays replays = new Replays(store, true);
        LogFollower follower = new LogFollower(store, registry, replays, new FanOut(0, FanOut.MAX_BACKLOG, dev.runnel.EngineMetrics.NOOP, registry::detachAll), log, options);
        List<Subscriber> subscribers = new ArrayList<>();
        catchUp(follower, log);

        for (int step = 0; step < 600; step++) {
            int what = random.nextInt(10);
            if (what < 4) {
                Set<String> topics = new LinkedHashSet<>();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    topics.add(NAMES.get(random.nextInt(NAMES.size())));
                }
                Map<String, String> fields = new HashMap<>(Map.of("t", "e", "d", "v".repeat(random.nextInt(40)),
                        LogFollower.TOPICS_FIELD, String.join("\n", topics)));
                if (random.nextBoolean()) {
                    fields.put(LogFollower.ID_FIELD, IDS.get(random.nextInt(IDS.size())));
                }
                log.append(fields, LogFollower.MIN_RETAIN);
            } else if (what < 6) {
                catchUp(follower, log);
            } else if (what == 6) {
                log.nowMillis += random.nextInt(6_000); // ages the events the reader reads next
                store.trimExpired();
                if (random.nextInt(25) == 0) {
                    log.wipe(); // the reader's next round finds a new epoch
                    log.epoch = Long.toString(Long.parseLong(log.epoch) + step + 1);
                    subscribers.clear(); // cut off by it
                }
            } else if (what == 7 && subscribers.size() < 4) {
                Subscriber sub = random.nextBoolean()
                        ? new Subscriber(List.of(NAMES.get(random.nextInt(NAMES.size()))), new ValueChannel(1000, Long.MAX_VALUE, v -> 0), SlowClientPolicy.DISCONNECT, () -> { })
                        : new Subscriber(new Selection(List.of(), List.of(TopicSelector.ANY), List.of()), new ValueChannel(1000, Long.MAX_VALUE, v -> 0), SlowClientPolicy.DISCONNECT, () -> { });
                String from = random.nextBoolean() ? IDS.get(random.nextInt(IDS.size())) : log.epoch + "-" + random.nextInt((int) log.head + 1);
                store.lock.lock();
                try {
                    ResumePoint point = replays.resolve(sub.selection, from, false);
                    replays.replay(sub.selection, point, from, true);
                    registry.register(sub, store.joinAll(sub.topics));
                    subscribers.add(sub);
                } catch (IllegalStateException full) {
                    // maxTopics refused the subscriber's topic
                } finally {
                    store.lock.unlock();
                }
            } else if (!subscribers.isEmpty()) {
                registry.detach(subscribers.remove(random.nextInt(subscribers.size())));
            }
            checkBooks(store, "seed " + seed + ", step " + step);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28})
    void theBooksStayExactThroughRandomStepsInMemory(long seed) throws Exception {
        Random random = new Random(seed);
        HubOptions options = HubOptions.DEFAULTS.withPublisherIds(true)
                .withReplay(1 + random.nextInt(3), Duration.ofMinutes(5))
                .withMaxTopics(4)
                .withMaxHistory(3 + random.nextInt(6))
                .withMaxReplayBytes(1024 + 256L * random.nextInt(8));
        TopicStore store = new TopicStore(options, null, false);
        SubscriberRegistry registry = new SubscriberRegistry(store);
        Replays replays = new Replays(store, true);
        PublishCombiner combiner = new PublishCombiner(store, registry, new FanOut(0, FanOut.MAX_BACKLOG, dev.runnel.EngineMetrics.NOOP, registry::detachAll));
        ValueFormatter formatter = new ValueFormatter(null, null);
        List<Subscriber> subscribers = new ArrayList<>();

        for (int step = 0; step < 600; step++) {
            int what = random.nextInt(10);
            if (what < 5) {
                Set<String> topics = new LinkedHashSet<>();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    topics.add(NAMES.get(random.nextInt(NAMES.size())));
                }
                Prepared prepared = formatter.prepare("v".repeat(random.nextInt(40)), null);
                String id = random.nextBoolean() ? IDS.get(random.nextInt(IDS.size())) : null;
                try {
                    combiner.publish(new Formatted(List.copyOf(topics), random.nextInt(4) == 0, id, prepared, prepared.toEvent(dev.runnel.Dialect.HTMX2)));
                } catch (IllegalStateException full) {
                    // maxTopics refused one of its topics
                }
            } else if (what < 7 && subscribers.size() < 4) {
                Subscriber sub = new Subscriber(List.of(NAMES.get(random.nextInt(NAMES.size())), NAMES.get(random.nextInt(NAMES.size()))).stream().distinct().toList(),
                        new ValueChannel(1000, Long.MAX_VALUE, v -> 0), SlowClientPolicy.DISCONNECT, () -> { });
                String from = IDS.get(random.nextInt(IDS.size()));
                store.lock.lock();
                try {
                    replays.replay(sub.selection, replays.resolve(sub.selection, from, false), from, true);
                    registry.register(sub, store.joinAll(sub.topics));
                    subscribers.add(sub);
                } catch (IllegalStateException full) {
                    // maxTopics refused one of the subscriber's topics
                } finally {
                    store.lock.unlock();
                }
            } else if (what == 7) {
                store.trimExpired();
            } else if (!subscribers.isEmpty()) {
                registry.detach(subscribers.remove(random.nextInt(subscribers.size())));
            }
            checkBooks(store, "seed " + seed + ", step " + step);
        }
    }

    private static void catchUp(LogFollower follower, LogHubTest.FakeLog log) {
        for (int i = 0; i < 100; i++) {
            LogFollower.Round round = follower.nextRound();
            if (!follower.apply(round, log.read(round.epoch(), round.cut(), LogFollower.READ_LIMIT))) {
                return;
            }
        }
        throw new AssertionError("the reader never caught up");
    }

    private static void checkBooks(TopicStore store, String where) {
        store.lock.lock();
        try {
            Map<HubEvent, Integer> held = new IdentityHashMap<>();
            for (Map.Entry<String, TopicStore.Topic> entry : store.topics().entrySet()) {
                TopicStore.Topic t = entry.getValue();
                assertThat(t.idle()).as(where + ": topic " + entry.getKey() + " is kept by nothing").isFalse();
                long last = Long.MIN_VALUE;
                for (HubEvent e : t.buffer) {
                    assertThat(e.seq()).as(where + ": " + entry.getKey() + "'s buffer in sequence order").isGreaterThan(last);
                    last = e.seq();
                    held.merge(e, 1, Integer::sum);
                }
            }
            long bytes = 0;
            Map<String, HubEvent> newest = new HashMap<>();
            for (Map.Entry<HubEvent, Integer> e : held.entrySet()) {
                assertThat(e.getKey().buffers).as(where + ": buffers of " + e.getKey().seq()).isEqualTo(e.getValue());
                bytes += ReplayBudget.cost(e.getKey());
                if (e.getKey().publisherId() != null) {
                    newest.merge(e.getKey().publisherId(), e.getKey(), (p, q) -> p.seq() > q.seq() ? p : q);
                }
            }
            assertThat(store.replayBytes()).as(where + ": the budget's bytes").isEqualTo(bytes);
            for (String id : IDS) {
                HubEvent indexed = store.byPublisherId(id);
                if (indexed != null) {
                    assertThat(indexed).as(where + ": the index names the newest buffered event with id " + id).isSameAs(newest.get(id));
                }
            }
        } finally {
            store.lock.unlock();
        }
    }
}
