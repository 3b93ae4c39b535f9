package dev.runnel.internal;

import dev.runnel.Dialect;
import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.JsonCodec;
import dev.runnel.RenderException;
import dev.runnel.RequestContext;
import dev.runnel.SseEvent;
import dev.runnel.StreamOptions;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.SlowClientPolicy;
import dev.runnel.hub.TopicAccess;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** The in-memory hub's own rules, driven in process: ids, encode once, replay, reset, slow clients, topics, access. */
class TopicHubTest {

    private static final String ID = "[0-9a-z]+-[0-9]+";

    // ---- fixture -------------------------------------------------------------------------------

    private static TopicHub hub(HubOptions options) {
        return hub(options, null, null);
    }

    private static TopicHub hub(HubOptions options, FragmentRenderer renderer, JsonCodec json) {
        return new TopicHub(new ValueFormatter(renderer, json), json, options);
    }

    /** A subscriber attached to the hub, with its queue and a count of how often it was cut off. */
    private record Client(Subscriber subscriber, ValueChannel channel, AtomicInteger cutOffs) {

        static Client attach(TopicHub hub, String lastEventId, String... topics) {
            ValueChannel channel = hub.newChannel();
            AtomicInteger cutOffs = new AtomicInteger();
            var subscriber = new Subscriber(List.of(topics), channel, hub.options().slowClients(),
                    cutOffs::incrementAndGet);
            hub.attach(subscriber, lastEventId);
            return new Client(subscriber, channel, cutOffs);
        }

        /** Everything queued, without waiting. */
        List<Object> drain() throws InterruptedException {
            List<Object> out = new ArrayList<>();
            channel.poll(out, Integer.MAX_VALUE, 0);
            return out;
        }

        /** The ids of everything queued, without waiting. */
        List<String> drainIds() throws InterruptedException {
            return drain().stream().map(v -> ((Encoded) v).id()).toList();
        }

        /** The one queued value, which must be a reset event. */
        ControlEvent drainReset() throws InterruptedException {
            List<Object> queued = drain();
            assertThat(queued).as("queued after attach").hasSize(1);
            assertThat(queued.get(0)).isInstanceOf(ControlEvent.class);
            ControlEvent reset = (ControlEvent) queued.get(0);
            assertThat(reset.event()).isEqualTo("runnel:reset");
            return reset;
        }
    }

    private static String text(Object encoded) {
        return new String(((Encoded) encoded).bytes(Dialect.HTMX2), UTF_8);
    }

    /** The data of a single-line event. */
    private static String data(Object encoded) {
        String wire = text(encoded);
        int at = wire.indexOf("data: ");
        return wire.substring(at + "data: ".length(), wire.indexOf('\n', at));
    }

    private static String epochOf(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    private static long seqOf(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    private static RequestContext request(Map<String, List<String>> query, Map<String, List<String>> headers) {
        return new RequestContext("GET", "/sse", null, query, headers, null, null, null, null);
    }

    /** Polls {@code attempt} until it gives a non-null result, for at most 10 s. */
    private static <T> T eventually(String what, Supplier<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            T result = attempt.get();
            if (result != null) {
                return result;
            }
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static final HubOptions DEFAULTS = HubOptions.DEFAULTS;

    static List<String> invalidTopics() {
        return java.util.Arrays.asList(null, "", "a b", "a/b", "caf\u00e9", "line\nbreak", "x".repeat(129));
    }

    // ---- large topics: the fan-out is sliced across threads ----------------------------------

    @Nested
    class LargeTopics {

        private static final int SUBSCRIBERS = FanOut.PARALLEL_FROM * 2 + 7;
        /** Hubs whose fan-out threads this test started: stopped after it. */
        private final List<TopicHub> started = new ArrayList<>();

        @org.junit.jupiter.api.AfterEach
        void stopFanOutThreads() {
            started.forEach(TopicHub::close);
        }

        private TopicHub hub(HubOptions options) {
            TopicHub hub = TopicHubTest.hub(options);
            started.add(hub);
            return hub;
        }

        @Test
        void everySubscriberOfALargeTopicGetsEveryEventOnceInOrder() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            List<Client> clients = IntStream.range(0, SUBSCRIBERS).mapToObj(i -> Client.attach(hub, null, "big")).toList();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Published p = hub.publish("big", "e" + i);
                assertThat(p.subscribers()).isEqualTo(SUBSCRIBERS);
                ids.add(p.id());
            }
            for (Client c : clients) {
                FanOutTest.await("every event handed over", () -> c.channel().size() == 20);
                assertThat(c.drainIds()).isEqualTo(ids);
            }
        }

        @Test
        void concurrentPublishersEachGetTheirOwnIdAndSubscribersSeeOneOrder() throws Exception {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(100_000, Long.MAX_VALUE));
            List<Client> clients = IntStream.range(0, 3).mapToObj(i -> Client.attach(hub, null, "busy")).toList();
            int threads = 16;
            int each = 200;
            List<String> returned = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < threads; p++) {
                int publisher = p;
                publishers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        Published published = hub.publish("busy", publisher + ":" + i);
                        assertThat(published.subscribers()).isEqualTo(3);
                        returned.add(published.id());
                    }
                }));
            }
            for (Thread t : publishers) {
                t.join();
            }
            assertThat(returned).hasSize(threads * each).doesNotHaveDuplicates();
            List<String> inSeqOrder = returned.stream().sorted(java.util.Comparator.comparingLong(TopicHubTest::seqOf)).toList();
            for (Client c : clients) {
                List<Object> queued = c.drain();
                assertThat(queued.stream().map(v -> ((Encoded) v).id()).toList()).isEqualTo(inSeqOrder);
                // each publisher's own events stay in the order it published them
                java.util.Map<String, Integer> next = new java.util.HashMap<>();
                for (Object v : queued) {
                    String[] parts = data(v).split(":");
                    int expected = next.getOrDefault(parts[0], 0);
                    assertThat(Integer.parseInt(parts[1])).as("publisher %s", parts[0]).isEqualTo(expected);
                    next.put(parts[0], expected + 1);
                }
            }
        }

        @Test
        void slowSubscribersAnywhereInALargeTopicAreCutOffAndNotCounted() throws Exception {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(2, Long.MAX_VALUE));
            List<Client> clients = IntStream.range(0, SUBSCRIBERS).mapToObj(i -> Client.attach(hub, null, "big")).toList();
            hub.publish("big", "one");
            hub.publish("big", "two");
            // every subscriber's queue now holds two: drain all but every 97th, spread over every slice
            List<Client> slow = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                Client c = clients.get(i);
                FanOutTest.await("both events handed over", () -> c.channel().size() == 2);
                if (i % 97 == 0) {
                    slow.add(clients.get(i));
                } else {
                    clients.get(i).drain();
                }
            }
            Published third = hub.publish("big", "three");
            assertThat(third.subscribers()).as("registered when it was recorded").isEqualTo(SUBSCRIBERS);
            FanOutTest.await("the slow subscribers left", () -> hub.subscribers("big") == SUBSCRIBERS - slow.size());
            for (int i = 0; i < clients.size(); i++) {
                Client c = clients.get(i);
                if (i % 97 == 0) {
                    FanOutTest.await("slow subscriber cut off", () -> c.cutOffs().get() == 1);
                    assertThat(c.cutOffs()).as("slow subscriber %d", i).hasValue(1);
                } else {
                    FanOutTest.await("the event handed over", () -> c.channel().size() == 1);
                    assertThat(c.cutOffs()).as("subscriber %d", i).hasValue(0);
                    assertThat(c.drain()).map(TopicHubTest::data).containsExactly("three");
                }
            }
        }
    }

    // ---- publishing ----------------------------------------------------------------------------

    @Nested
    class Publishing {

        private final TopicHub hub = hub(DEFAULTS);

        @Test
        void idsAreEpochDashSeqStrictlyIncreasingAcrossTopics() {
            List<String> ids = List.of(
                    hub.publish("a", "1").id(), hub.publish("b", "2").id(),
                    hub.publish("a", "3").id(), hub.publish("c", "4").id());

            assertThat(ids).allMatch(id -> id.matches(ID));
            assertThat(ids).extracting(TopicHubTest::epochOf).containsOnly(epochOf(ids.get(0)));
            assertThat(ids).extracting(TopicHubTest::seqOf).isSorted().doesNotHaveDuplicates();
        }

        @Test
        void publishReturnsTheIdAndHowManySubscribersItWasHandedTo() throws Exception {
            Client first = Client.attach(hub, null, "t");
            Client second = Client.attach(hub, null, "t", "u");
            Client.attach(hub, null, "u");

            Published p = hub.publish("t", "x");

            assertThat(p.subscribers()).isEqualTo(2);
            assertThat(first.drainIds()).containsExactly(p.id());
            assertThat(second.drainIds()).containsExactly(p.id());
            assertThat(hub.publish("nobody", "x").subscribers()).isZero();
        }

        @Test
        void anSseEventCarryingAnIdIsRefusedBecauseTheHubAssignsIds() {
            SseEvent withId = new SseEvent("e", "mine-1", null, "x");

            assertThatIllegalArgumentException().isThrownBy(() -> hub.publish("t", withId))
                    .withMessageContaining("the hub assigns event ids")
                    .withMessageContaining("mine-1");
            assertThatExceptionOfType(BadRequestException.class)
                    .isThrownBy(() -> hub.publish(RequestContext.of("/publish"), "t", withId))
                    .withMessageContaining("the hub assigns event ids");
        }

        @Test
        void anSseEventWithoutIdIsPublishedWithTheHubsId() throws Exception {
            Client client = Client.attach(hub, null, "t");

            Published p = hub.publish("t", SseEvent.of("tick", "x"));

            assertThat(text(client.drain().get(0))).isEqualTo("event: tick\nid: " + p.id() + "\ndata: x\n\n");
        }

        @ParameterizedTest
        @MethodSource("dev.runnel.internal.TopicHubTest#invalidTopics")
        void invalidTopicNamesAreRefusedToTrustedCode(String topic) {
            assertThatIllegalArgumentException().isThrownBy(() -> hub.publish(topic, "x"))
                    .withMessageContaining("invalid topic name")
                    .withMessageContaining("A-Z a-z 0-9 . _ : -")
                    .withMessageNotContaining("\n");
        }

        @ParameterizedTest
        @MethodSource("dev.runnel.internal.TopicHubTest#invalidTopics")
        void invalidTopicNamesAreBadRequestsFromARequest(String topic) {
            assertThatExceptionOfType(BadRequestException.class)
                    .isThrownBy(() -> hub.publish(RequestContext.of("/publish"), topic, "x"))
                    .withMessageContaining("invalid topic name");
        }

        @Test
        void topicNamesUseLettersDigitsDotUnderscoreColonDashUpTo128() {
            String longest = "x".repeat(128);

            assertThatCode(() -> {
                hub.publish("Az09._:-", "x");
                hub.publish(longest, "x");
            }).doesNotThrowAnyException();
        }

        @Test
        void aNullValueIsRefused() {
            assertThatNullPointerException().isThrownBy(() -> hub.publish("t", null))
                    .withMessageContaining("must not be null");
        }

        @Test
        void aRefusedPublishTakesNoIdAndReachesNoOne() throws Exception {
            Client client = Client.attach(hub, null, "t");
            String before = hub.publish("t", "1").id();
            client.drain();

            assertThatIllegalArgumentException().isThrownBy(() -> hub.publish("t", new SseEvent(null, "1", null, "x")));
            assertThatNullPointerException().isThrownBy(() -> hub.publish("t", null));
            String after = hub.publish("t", "2").id();

            assertThat(seqOf(after)).isEqualTo(seqOf(before) + 1);
            assertThat(client.drainIds()).containsExactly(after);
        }

        @Test
        void theEncodedBytesCarryTheIdAndAreOneArraySharedByEverySubscriber() throws Exception {
            List<Client> clients = List.of(Client.attach(hub, null, "t"), Client.attach(hub, null, "t"),
                    Client.attach(hub, null, "t", "other"));

            Published p = hub.publish("t", "hello");

            List<byte[]> received = new ArrayList<>();
            for (Client c : clients) {
                received.add(((Encoded) c.drain().get(0)).bytes(Dialect.HTMX2));
            }
            assertThat(new String(received.get(0), UTF_8)).isEqualTo("id: " + p.id() + "\ndata: hello\n\n");
            assertThat(received.get(1)).isSameAs(received.get(0));
            assertThat(received.get(2)).isSameAs(received.get(0));
        }

        @Test
        void theReplayedBytesAreTheSameArrayAsTheLiveOnes() throws Exception {
            Client live = Client.attach(hub, null, "t");
            String before = hub.publish("t", "0").id();
            hub.publish("t", "1");

            Client resumed = Client.attach(hub, before, "t");

            List<Object> liveQueue = live.drain();
            assertThat(((Encoded) resumed.drain().get(0)).bytes(Dialect.HTMX2)).isSameAs(((Encoded) liveQueue.get(1)).bytes(Dialect.HTMX2));
        }

        @Test
        void aFragmentIsRenderedOnceForAllSubscribers() throws Exception {
            AtomicInteger renders = new AtomicInteger();
            TopicHub rendering = hub(DEFAULTS, f -> {
                renders.incrementAndGet();
                return "<p>" + f.context().get("title") + "</p>";
            }, null);
            List<Client> clients = IntStream.range(0, 5).mapToObj(i -> Client.attach(rendering, null, "news")).toList();

            Published p = rendering.publish("news", Fragment.of("home", "headline", Map.of("title", "Hi"), "headline"));

            assertThat(renders).hasValue(1);
            assertThat(p.subscribers()).isEqualTo(5);
            for (Client c : clients) {
                assertThat(text(c.drain().get(0))).isEqualTo("event: headline\nid: " + p.id() + "\ndata: <p>Hi</p>\n\n");
            }
        }

        @Test
        void aFragmentThatFailsToRenderIsARenderExceptionForThePublisher() throws Exception {
            IOException cause = new IOException("no block 'headline' in home");
            TopicHub failing = hub(DEFAULTS, f -> {
                throw cause;
            }, null);
            Client client = Client.attach(failing, null, "news");

            assertThatExceptionOfType(RenderException.class)
                    .isThrownBy(() -> failing.publish("news", Fragment.of("home", "headline", Map.of())))
                    .withMessageContaining("news")
                    .withMessageContaining("no block 'headline' in home")
                    .withCause(cause);
            assertThat(client.drain()).isEmpty();
        }

        @Test
        void aFragmentRenderedEmptyIsARenderExceptionForThePublisher() {
            TopicHub blank = hub(DEFAULTS, f -> "  \n", null);

            assertThatExceptionOfType(RenderException.class)
                    .isThrownBy(() -> blank.publish("news", Fragment.of("home", "headline", Map.of())))
                    .withMessageContaining("empty");
        }

        @Test
        void publishOnBehalfOfARequestThatAccessRefusesIsForbidden() {
            List<String> asked = new ArrayList<>();
            TopicHub guarded = hub(DEFAULTS.withAccess(new TopicAccess() {
                @Override
                public boolean mayPublish(RequestContext request, String topic) {
                    asked.add(request.path() + " " + topic);
                    return false;
                }
            }));

            assertThatExceptionOfType(ForbiddenException.class)
                    .isThrownBy(() -> guarded.publish(RequestContext.of("/publish"), "news", "x"))
                    .withMessageContaining("news");
            assertThat(asked).containsExactly("/publish news");
        }

        @Test
        void trustedPublishIsNotAskedAboutAccess() {
            TopicHub guarded = hub(DEFAULTS.withAccess(new TopicAccess() {
                @Override
                public boolean mayPublish(RequestContext request, String topic) {
                    throw new AssertionError("asked");
                }
            }));

            assertThat(guarded.publish("news", "x").id()).matches(ID);
        }
    }

    // ---- replay and reset ----------------------------------------------------------------------

    @Nested
    class Replay {

        @Test
        void resumingInsideTheBufferQueuesExactlyTheLaterEventsOfTheSubscribedTopicsInIdOrder() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            String seen = hub.publish("a", "a1").id();
            List<String> expected = new ArrayList<>();
            expected.add(hub.publish("b", "b1").id());
            hub.publish("c", "c1");
            expected.add(hub.publish("a", "a2").id());
            expected.add(hub.publish("b", "b2").id());
            hub.publish("c", "c2");
            expected.add(hub.publish("a", "a3").id());

            Client resumed = Client.attach(hub, seen, "b", "a");

            assertThat(resumed.drainIds()).containsExactlyElementsOf(expected);
        }

        @Test
        void resumingFromTheNewestIdQueuesNothing() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            hub.publish("a", "1");
            String newest = hub.publish("b", "2").id();

            assertThat(Client.attach(hub, newest, "a", "b").drain()).isEmpty();
        }

        @Test
        void withoutLastEventIdOnlyLaterEventsAreQueued() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            hub.publish("t", "before");

            Client client = Client.attach(hub, null, "t");
            String after = hub.publish("t", "after").id();

            assertThat(client.drainIds()).containsExactly(after);
        }

        @Test
        void replayIsFollowedByLiveEvents() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            String seen = hub.publish("t", "1").id();
            String missed = hub.publish("t", "2").id();

            Client resumed = Client.attach(hub, seen, "t");
            String live = hub.publish("t", "3").id();

            assertThat(resumed.drainIds()).containsExactly(missed, live);
        }

        @Test
        void resumingFromJustBeforeTheKeptWindowReplaysAllOfIt() throws Exception {
            TopicHub hub = hub(DEFAULTS.withReplay(3, Duration.ofMinutes(5)));
            List<String> ids = IntStream.range(0, 5).mapToObj(i -> hub.publish("t", "e" + i).id()).toList();

            assertThat(Client.attach(hub, ids.get(1), "t").drainIds()).containsExactlyElementsOf(ids.subList(2, 5));
        }

        @Test
        void resumingFromBeforeTheKeptWindowGivesResetExpired() throws Exception {
            TopicHub hub = hub(DEFAULTS.withReplay(3, Duration.ofMinutes(5)));
            List<String> ids = IntStream.range(0, 5).mapToObj(i -> hub.publish("t", "e" + i).id()).toList();

            ControlEvent reset = Client.attach(hub, ids.get(0), "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"lastEventId\":\"" + ids.get(0) + "\",\"reason\":\"expired\"}");
        }

        @Test
        void eventsOlderThanReplayAgeAreNoLongerReplayedAndResumingFromBeforeThemIsExpired() throws Exception {
            TopicHub hub = hub(DEFAULTS.withReplay(100, Duration.ofMillis(50)));
            long start = System.nanoTime();
            String seen = hub.publish("t", "1").id();
            hub.publish("t", "2");

            ControlEvent reset = eventually("the events never aged out", () -> {
                try {
                    List<Object> queued = Client.attach(hub, seen, "t").drain();
                    return queued.size() == 1 && queued.get(0) instanceof ControlEvent c ? c : null;
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });

            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            assertThat(data(reset)).contains("\"reason\":\"expired\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "abc", "x-", "-5", "EPOCH-12a", "EPOCH-", "EPOCH-+1", "EPOCH- 1"})
        void anIdThatIsNotAnIdGivesResetMalformed(String template) throws Exception {
            TopicHub hub = hub(DEFAULTS);
            String epoch = epochOf(hub.publish("t", "1").id());
            String id = template.replace("EPOCH", epoch);

            ControlEvent reset = Client.attach(hub, id, "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"lastEventId\":\"" + id + "\",\"reason\":\"malformed\"}");
        }

        @Test
        void anIdOver128CharactersIsMalformedAndEchoedCutTo128() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            String epoch = epochOf(hub.publish("t", "1").id());
            String id = epoch + "-" + "1".repeat(200 - epoch.length() - 1);

            ControlEvent reset = Client.attach(hub, id, "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"lastEventId\":\"" + id.substring(0, 128) + "\",\"reason\":\"malformed\"}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"otherepoch-1", "EPOCH-3", "EPOCH-999999999"})
        void anIdFromAnotherRunOrBeyondTheNewestGivesResetUnknown(String template) throws Exception {
            TopicHub hub = hub(DEFAULTS);
            hub.publish("t", "1");
            String epoch = epochOf(hub.publish("t", "2").id());
            String id = template.replace("EPOCH", epoch);

            ControlEvent reset = Client.attach(hub, id, "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"lastEventId\":\"" + id + "\",\"reason\":\"unknown\"}");
        }

        @Test
        void theResetEventsIdIsTheHubsNewestId() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            hub.publish("t", "1");
            String newest = hub.publish("elsewhere", "2").id();

            ControlEvent reset = Client.attach(hub, "garbage", "t").drainReset();

            assertThat(reset.id()).isEqualTo(newest);
            assertThat(text(reset)).startsWith("event: runnel:reset\nid: " + newest + "\ndata: {");
        }

        @Test
        void theResetDataIsWrittenByTheConfiguredJsonCodec() throws Exception {
            List<Object> given = new ArrayList<>();
            TopicHub hub = hub(DEFAULTS, null, value -> {
                given.add(value);
                return "{\"from\":\"codec\"}";
            });

            ControlEvent reset = Client.attach(hub, "abc", "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"from\":\"codec\"}");
            assertThat(given).singleElement().isEqualTo(Map.of("lastEventId", "abc", "reason", "malformed"));
            assertThat(List.copyOf(((Map<?, ?>) given.get(0)).keySet())).isEqualTo(List.of("lastEventId", "reason"));
        }

        @Test
        void withoutAJsonCodecTheResetDataIsEscapedJson() throws Exception {
            TopicHub hub = hub(DEFAULTS);

            ControlEvent reset = Client.attach(hub, "a\"b\\c-1", "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"lastEventId\":\"a\\\"b\\\\c-1\",\"reason\":\"unknown\"}");
        }

        @Test
        void aJsonCodecThatFailsFallsBackToRunnelsOwnJson() throws Exception {
            TopicHub hub = hub(DEFAULTS, null, value -> {
                throw new IOException("codec down");
            });

            ControlEvent reset = Client.attach(hub, "abc", "t").drainReset();

            assertThat(data(reset)).isEqualTo("{\"lastEventId\":\"abc\",\"reason\":\"malformed\"}");
        }

        @Test
        void afterAResetTheSubscriberReceivesLiveEvents() throws Exception {
            TopicHub hub = hub(DEFAULTS);
            Client client = Client.attach(hub, "abc", "t");

            String live = hub.publish("t", "x").id();

            List<Object> queued = client.drain();
            assertThat(queued).hasSize(2);
            assertThat(queued.get(0)).isInstanceOf(ControlEvent.class);
            assertThat(((Encoded) queued.get(1)).id()).isEqualTo(live);
        }
    }

    // ---- slow clients --------------------------------------------------------------------------

    @Nested
    class SlowClients {

        private final HubOptions fourEvents = DEFAULTS.withQueueLimits(4, 256 * 1024);

        @Test
        void aSubscriberThatDoesNotDrainIsCutOffAtTheFirstEventOverMaxQueuedEvents() throws Exception {
            TopicHub hub = hub(fourEvents);
            Client slow = Client.attach(hub, null, "t");
            Client fast = Client.attach(hub, null, "t");

            for (int i = 0; i < 4; i++) {
                assertThat(hub.publish("t", "e" + i).subscribers()).isEqualTo(2);
                fast.drain();
            }
            assertThat(slow.cutOffs()).hasValue(0);

            assertThat(hub.publish("t", "e4").subscribers()).as("registered when it was recorded").isEqualTo(2);

            assertThat(slow.cutOffs()).hasValue(1);
            assertThat(hub.subscribers("t")).isEqualTo(1);
            assertThat(hub.presence()).containsExactly(Map.entry("t", 1));
            assertThat(fast.drain()).hasSize(1);
        }

        @Test
        void aReplayLargerThanTheQueueDoesNotCutTheSubscriberOff() throws Exception {
            TopicHub hub = hub(fourEvents);
            String first = hub.publish("t", "e0").id();
            for (int i = 1; i < 50; i++) {
                hub.publish("t", "e" + i);
            }
            Client resumed = Client.attach(hub, first, "t");

            // 49 replayed events wait in a queue bounded at 4: live events still fit beside them
            for (int i = 50; i < 54; i++) {
                assertThat(hub.publish("t", "e" + i).subscribers()).isEqualTo(1);
            }
            assertThat(resumed.cutOffs()).hasValue(0);
            assertThat(resumed.drain()).hasSize(53);
            // and once drained, the bound applies as usual
            for (int i = 54; i < 58; i++) {
                hub.publish("t", "e" + i);
            }
            assertThat(hub.publish("t", "over").subscribers()).as("registered when it was recorded").isEqualTo(1);
            assertThat(hub.subscribers("t")).isZero();
            assertThat(resumed.cutOffs()).hasValue(1);
        }

        @Test
        void aCutOffSubscriberIsToldOnceAndGetsNothingMore() throws Exception {
            TopicHub hub = hub(fourEvents);
            Client slow = Client.attach(hub, null, "t");

            for (int i = 0; i < 10; i++) {
                hub.publish("t", "e" + i);
            }

            assertThat(slow.cutOffs()).hasValue(1);
            assertThat(slow.channel().size()).isEqualTo(4);
            assertThat(hub.subscribers("t")).isZero();
            assertThat(hub.presence()).isEmpty();
        }

        @Test
        void aCutOffSubscriberLeavesAllItsTopics() {
            TopicHub hub = hub(fourEvents);
            Client slow = Client.attach(hub, null, "a", "b");

            for (int i = 0; i < 5; i++) {
                hub.publish("a", "e" + i);
            }

            assertThat(slow.cutOffs()).hasValue(1);
            assertThat(hub.subscribers("b")).isZero();
            assertThat(hub.publish("b", "x").subscribers()).isZero();
        }

        @Test
        void aSubscriberThatDrainsIsNeverCutOff() throws Exception {
            TopicHub hub = hub(fourEvents);
            Client client = Client.attach(hub, null, "t");

            for (int i = 0; i < 100; i++) {
                hub.publish("t", "e" + i);
                if (i % 4 == 3) {
                    assertThat(client.drain()).hasSize(4);
                }
            }

            assertThat(client.cutOffs()).hasValue(0);
            assertThat(hub.subscribers("t")).isEqualTo(1);
        }

        @Test
        void anEventThatWouldTakeTheQueueOverMaxQueuedBytesCutsTheSubscriberOff() {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(512, 1024));
            Client slow = Client.attach(hub, null, "t");

            assertThat(hub.publish("t", "x".repeat(600)).subscribers()).isEqualTo(1);
            assertThat(hub.publish("t", "x".repeat(600)).subscribers()).as("registered when it was recorded").isEqualTo(1);

            assertThat(slow.cutOffs()).hasValue(1);
            assertThat(slow.channel().queuedBytes()).isLessThanOrEqualTo(1024);
            assertThat(hub.subscribers("t")).isZero();
        }

        @Test
        void anEventLargerThanMaxQueuedBytesIsAcceptedIntoAnEmptyQueue() throws Exception {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(512, 1024));
            Client client = Client.attach(hub, null, "t");

            Published big = hub.publish("t", "x".repeat(5000));

            assertThat(big.subscribers()).isEqualTo(1);
            assertThat(client.cutOffs()).hasValue(0);
            assertThat(client.drainIds()).containsExactly(big.id());
            assertThat(hub.publish("t", "x".repeat(5000)).subscribers()).isEqualTo(1);
        }

        @Test
        void coalescingKeepsOnlyTheNewestEventOfEachNameInPublishOrderAndNeverCutsOff() throws Exception {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(2, 256 * 1024).withSlowClients(SlowClientPolicy.COALESCE_BY_EVENT_NAME));
            Client dashboard = Client.attach(hub, null, "t");

            for (int i = 1; i <= 50; i++) {
                assertThat(hub.publish("t", SseEvent.of("a", "a" + i)).subscribers()).isEqualTo(1);
                assertThat(hub.publish("t", SseEvent.of("b", "b" + i)).subscribers()).isEqualTo(1);
            }

            assertThat(dashboard.drain()).extracting(TopicHubTest::data).containsExactly("a50", "b50");
            assertThat(dashboard.cutOffs()).hasValue(0);
            assertThat(hub.subscribers("t")).isEqualTo(1);
        }

        @Test
        void coalescingDropsOnlyTheQueuedEventsNamedLikeTheNewOne() throws Exception {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(3, 256 * 1024).withSlowClients(SlowClientPolicy.COALESCE_BY_EVENT_NAME));
            Client dashboard = Client.attach(hub, null, "t");
            hub.publish("t", SseEvent.of("a", "a1"));
            hub.publish("t", SseEvent.of("b", "b1"));
            hub.publish("t", SseEvent.of("a", "a2"));

            hub.publish("t", SseEvent.of("b", "b2"));

            assertThat(dashboard.drain()).extracting(TopicHubTest::data).containsExactly("a1", "a2", "b2");
        }

        @Test
        void coalescingThatFreesNoRoomCutsOff() {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(2, 256 * 1024).withSlowClients(SlowClientPolicy.COALESCE_BY_EVENT_NAME));
            Client dashboard = Client.attach(hub, null, "t");
            hub.publish("t", SseEvent.of("a", "a1"));
            hub.publish("t", SseEvent.of("b", "b1"));

            assertThat(hub.publish("t", SseEvent.of("c", "c1")).subscribers()).as("registered when it was recorded").isEqualTo(1);

            assertThat(dashboard.cutOffs()).hasValue(1);
            assertThat(hub.subscribers("t")).isZero();
        }

        @Test
        void coalescingNeverDropsTheResetEvent() throws Exception {
            TopicHub hub = hub(DEFAULTS.withQueueLimits(2, 256 * 1024).withSlowClients(SlowClientPolicy.COALESCE_BY_EVENT_NAME));
            Client dashboard = Client.attach(hub, "abc", "t");

            for (int i = 0; i < 5; i++) {
                hub.publish("t", SseEvent.of("a", "a" + i));
            }

            List<Object> queued = dashboard.drain();
            assertThat(queued.get(0)).isInstanceOf(ControlEvent.class);
            assertThat(queued.subList(1, queued.size())).extracting(TopicHubTest::data).containsExactly("a4");
        }
    }

    // ---- topics --------------------------------------------------------------------------------

    @Nested
    class Topics {

        @Test
        void detachIsIdempotent() {
            TopicHub hub = hub(DEFAULTS);
            Client client = Client.attach(hub, null, "a", "b");
            Client other = Client.attach(hub, null, "a");

            hub.detach(client.subscriber());
            hub.detach(client.subscriber());

            assertThat(hub.presence()).containsExactly(Map.entry("a", 1));
            assertThat(hub.publish("a", "x").subscribers()).isEqualTo(1);
            assertThat(other.cutOffs()).hasValue(0);
        }

        @Test
        void detachingASubscriberThatWasNeverAttachedDoesNothing() {
            TopicHub hub = hub(DEFAULTS);
            Client.attach(hub, null, "t");
            var stranger = new Subscriber(List.of("t", "u"), hub.newChannel(), SlowClientPolicy.DISCONNECT, () -> { });

            hub.detach(stranger);

            assertThat(hub.presence()).containsExactly(Map.entry("t", 1));
        }

        @Test
        void aTopicWithNoSubscribersAndNothingToReplayIsPruned() {
            TopicHub hub = hub(DEFAULTS.withReplay(0, Duration.ofMinutes(5)));
            Client client = Client.attach(hub, null, "t");
            hub.publish("t", "x");
            assertThat(hub.topicCount()).isEqualTo(1);

            hub.detach(client.subscriber());

            assertThat(hub.topicCount()).isZero();
        }

        @Test
        void aPublishNobodyHearsAndNobodyCanReplayLeavesNoTopic() {
            TopicHub hub = hub(DEFAULTS.withReplay(0, Duration.ofMinutes(5)));

            hub.publish("t", "x");

            assertThat(hub.topicCount()).isZero();
        }

        @Test
        void aTopicWithReplayableEventsIsKeptWithoutSubscribers() {
            TopicHub hub = hub(DEFAULTS);
            Client client = Client.attach(hub, null, "t");
            hub.publish("t", "x");

            hub.detach(client.subscriber());

            assertThat(hub.topicCount()).isEqualTo(1);
            assertThat(hub.presence()).isEmpty();
        }

        @Test
        void publishingToMoreTopicsThanMaxTopicsWhileTheOthersHoldReplayableEventsFails() {
            TopicHub hub = hub(DEFAULTS.withMaxTopics(2));
            hub.publish("a", "x");
            hub.publish("b", "x");

            assertThatIllegalStateException().isThrownBy(() -> hub.publish("c", "x"))
                    .withMessageContaining("2")
                    .withMessageContaining("maxTopics")
                    .withMessageContaining("c");
            assertThat(hub.topicCount()).isEqualTo(2);
            assertThatCode(() -> hub.publish("a", "y")).doesNotThrowAnyException();
        }

        @Test
        void topicsWithSubscribersCountAgainstMaxTopics() {
            TopicHub hub = hub(DEFAULTS.withReplay(0, Duration.ofMinutes(5)).withMaxTopics(2));
            Client.attach(hub, null, "a");
            Client.attach(hub, null, "b");

            assertThatIllegalStateException().isThrownBy(() -> hub.publish("c", "x"))
                    .withMessageContaining("maxTopics");
        }

        @Test
        void idleEmptyTopicsDoNotCountAgainstMaxTopics() {
            TopicHub hub = hub(DEFAULTS.withReplay(0, Duration.ofMinutes(5)).withMaxTopics(2));

            for (String topic : List.of("a", "b", "c", "d", "e")) {
                assertThat(hub.publish(topic, "x").id()).matches(ID);
            }
            assertThat(hub.topicCount()).isZero();
        }

        @Test
        void topicsWhoseEventsAgedOutMakeRoomForNewOnes() throws Exception {
            TopicHub hub = hub(DEFAULTS.withReplay(100, Duration.ofMillis(50)).withMaxTopics(1));
            long start = System.nanoTime();
            hub.publish("a", "x");

            Published p = eventually("topic a never aged out", () -> {
                try {
                    return hub.publish("b", "x");
                } catch (IllegalStateException full) {
                    return null;
                }
            });

            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            assertThat(p.id()).matches(ID);
            assertThat(hub.topicCount()).isEqualTo(1);
        }
    }

    // ---- subscribe -----------------------------------------------------------------------------

    @Nested
    class Subscribe {

        private final TopicHub hub = hub(DEFAULTS);
        private final RequestContext request = RequestContext.of("/sse");

        @Test
        void subscribeReturnsASubscriptionToTheTopicsWithDefaultOptions() {
            EventStream stream = hub.subscribe(request, "a", "b");

            assertThat(stream).isInstanceOfSatisfying(EventStream.Subscribed.class, s -> {
                assertThat(s.hub()).isSameAs(hub);
                assertThat(s.topics()).containsExactly("a", "b");
                assertThat(s.lastEventId()).isNull();
                assertThat(s.options()).isEqualTo(StreamOptions.DEFAULTS);
            });
        }

        @Test
        void subscribeRegistersNoSubscriberUntilTheStreamStarts() {
            hub.subscribe(request, "a");

            assertThat(hub.subscribers("a")).isZero();
            assertThat(hub.topicCount()).isZero();
        }

        @Test
        void subscribingToNoTopicsIsABadRequest() {
            assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> hub.subscribe(request, List.of()))
                    .withMessageContaining("at least one topic");
        }

        @Test
        void subscribingToMoreThan32TopicsIsABadRequest() {
            List<String> topics = IntStream.range(0, 33).mapToObj(i -> "t" + i).toList();

            assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> hub.subscribe(request, topics))
                    .withMessageContaining("at most 32")
                    .withMessageContaining("33");
        }

        @Test
        void subscribingTo32TopicsIsAllowed() {
            List<String> topics = IntStream.range(0, Hub.MAX_TOPICS_PER_STREAM).mapToObj(i -> "t" + i).toList();

            assertThat(((EventStream.Subscribed) hub.subscribe(request, topics)).topics()).hasSize(32);
        }

        @Test
        void duplicateTopicsCollapseInFirstSeenOrder() {
            EventStream.Subscribed s = (EventStream.Subscribed) hub.subscribe(request, "b", "a", "b", "a", "c");

            assertThat(s.topics()).containsExactly("b", "a", "c");
        }

        @Test
        void anInvalidTopicIsABadRequest() {
            assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> hub.subscribe(request, "ok", "not ok"))
                    .withMessageContaining("invalid topic name 'not ok'");
        }

        @Test
        void aTopicAccessRefusesIsForbidden() {
            TopicHub guarded = hub(DEFAULTS.withAccess(new TopicAccess() {
                @Override
                public boolean maySubscribe(RequestContext r, String topic) {
                    return !topic.equals("secret");
                }
            }));

            assertThatExceptionOfType(ForbiddenException.class).isThrownBy(() -> guarded.subscribe(request, "news", "secret"))
                    .withMessageContaining("secret");
            assertThat(guarded.subscribe(request, "news")).isInstanceOf(EventStream.Subscribed.class);
        }

        @Test
        void theLastEventIdHeaderWinsOverTheQueryParameter() {
            RequestContext both = request(Map.of("lastEventId", List.of("from-query-1")),
                    Map.of("last-event-id", List.of("from-header-2")));

            assertThat(((EventStream.Subscribed) hub.subscribe(both, "t")).lastEventId()).isEqualTo("from-header-2");
        }

        @Test
        void theLastEventIdQueryParameterIsUsedWithoutTheHeader() {
            RequestContext query = request(Map.of("lastEventId", List.of("from-query-1")), null);

            assertThat(((EventStream.Subscribed) hub.subscribe(query, "t")).lastEventId()).isEqualTo("from-query-1");
        }
    }

    // ---- bugs found while writing these tests, fixed since -----------------------------------------

    @Nested
    class Regressions {

        @Test
        void anAttachRefusedByMaxTopicsLeavesTheSubscriberOnNoTopic() {
            TopicHub hub = hub(DEFAULTS.withMaxTopics(2));
            hub.publish("a", "x");
            hub.publish("b", "x");
            var sub = new Subscriber(List.of("a", "c"), hub.newChannel(), SlowClientPolicy.DISCONNECT, () -> { });

            assertThatIllegalStateException().isThrownBy(() -> hub.attach(sub, null)).withMessageContaining("maxTopics");

            assertThat(hub.subscribers("a")).isZero();
            assertThat(hub.publish("a", "y").subscribers()).isZero();
        }

        @Test
        void resumingOnARecreatedTopicStillReportsWhatItsPredecessorDropped() throws Exception {
            TopicHub hub = hub(DEFAULTS.withReplay(0, Duration.ofMinutes(5)));
            Client stays = Client.attach(hub, null, "t");
            Client leaves = Client.attach(hub, null, "t");
            String seen = hub.publish("t", "1").id();
            hub.detach(leaves.subscriber());
            hub.publish("t", "2");                 // missed by the one that left
            hub.detach(stays.subscriber());        // topic pruned
            Client.attach(hub, null, "t");         // topic made again by a newcomer

            ControlEvent reset = Client.attach(hub, seen, "t").drainReset();

            assertThat(data(reset)).contains("\"reason\":\"expired\"");
        }

        @Test
        void aReplayAgeOfForeverKeepsEventsInsteadOfFailingEveryPublish() throws Exception {
            TopicHub hub = hub(DEFAULTS.withReplay(10, java.time.temporal.ChronoUnit.FOREVER.getDuration()));
            String seen = hub.publish("t", "1").id();
            String missed = hub.publish("t", "2").id();

            assertThat(Client.attach(hub, seen, "t").drainIds()).containsExactly(missed);
        }
    }
}
