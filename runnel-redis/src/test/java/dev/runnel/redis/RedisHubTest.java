package dev.runnel.redis;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.RedisServer;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several nodes on one real Redis (Debian's redis-server, started by the test): every node is an
 * embedded server whose engine's hub runs on a {@link RedisHubLog}, and clients talk to them over
 * loopback HTTP, as browsers behind a load balancer would.
 */
class RedisHubTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private RedisServer redis;
    private final List<Node> nodes = new ArrayList<>();
    private final List<RawSseClient> clients = new CopyOnWriteArrayList<>();

    /** One Runnel node: a server whose {@code /t/{topics}} subscribes to a comma-separated list of topics. */
    private record Node(RunnelServer server, SseEngine engine) {
        Hub hub() {
            return engine.hub();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        nodes.forEach(n -> n.server().stop());
        if (redis != null) {
            redis.close();
        }
    }

    private Node node(HubOptions options) {
        SseEngine engine = SseEngine.builder().hub(options).hubLog(RedisHubLog.connect(redis.uri())).build();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/t/{topics}", req -> engine.hub().subscribe(req, Arrays.asList(req.pathParam("topics").split(",", -1)))
                .heartbeat(Duration.ofSeconds(1)));
        server.start();
        Node node = new Node(server, engine);
        nodes.add(node);
        return node;
    }

    private Node node() {
        return node(HubOptions.DEFAULTS);
    }

    private RawSseClient subscribe(Node node, String topics, Map<String, String> headers) throws IOException {
        RawSseClient client = RawSseClient.get(URI.create(node.server().uri() + "/t/" + topics), headers);
        clients.add(client);
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    /** Subscribes and waits until the node counts the subscriber, so it receives what is published next. */
    private RawSseClient subscribed(Node node, String topic) throws Exception {
        int before = node.hub().subscribers(topic);
        RawSseClient client = subscribe(node, topic, Map.of());
        await(() -> node.hub().subscribers(topic) > before, "subscribed to " + topic);
        return client;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        dev.runnel.testkit.Await.until(condition, what, WAIT);
    }

    private static List<String> ids(List<Published> published) {
        return published.stream().map(Published::id).toList();
    }

    private static List<String> ids(RawSseClient client, int count) throws IOException {
        return client.awaitEvents(count, WAIT).stream().map(WireEvents.Event::id).toList();
    }

    private static List<String> data(List<WireEvents.Event> events) {
        return events.stream().map(WireEvents.Event::data).toList();
    }

    private static long seqOf(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    private static List<Published> publish(Hub hub, String topic, String prefix, int from, int to) {
        List<Published> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(hub.publish(topic, prefix + i));
        }
        return out;
    }

    private static List<String> sequence(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    // ---- several nodes -------------------------------------------------------------------------

    @Test
    void eventsPublishedOnOneNodeReachSubscribersOnTheOthersInOrderWithTheRedisIds() throws Exception {
        redis = RedisServer.start(false);
        Node a = node();
        Node b = node();
        Node c = node();
        RawSseClient onB = subscribed(b, "news");
        RawSseClient onC = subscribed(c, "news");

        List<Published> published = publish(a.hub(), "news", "n", 1, 200);

        assertThat(published).allSatisfy(p -> assertThat(p.subscribers()).as("subscribers on the publishing node").isZero());
        assertThat(ids(published)).allMatch(id -> id.matches("[0-9]+-[0-9]+"));
        assertThat(ids(published).stream().mapToLong(RedisHubTest::seqOf)).isSorted().doesNotHaveDuplicates();
        for (RawSseClient client : List.of(onB, onC)) {
            List<WireEvents.Event> events = client.awaitEvents(200, WAIT);
            assertThat(data(events)).containsExactlyElementsOf(sequence("n", 1, 200));
            assertThat(events.stream().map(WireEvents.Event::id).toList()).containsExactlyElementsOf(ids(published));
        }
    }

    @Test
    void aClientThatMovesToAnotherNodeWithItsLastEventIdGetsExactlyTheEventsItMissed() throws Exception {
        redis = RedisServer.start(false);
        Node a = node();
        Node b = node();
        Node c = node();
        RawSseClient onB = subscribed(b, "feed");
        List<Published> seen = publish(a.hub(), "feed", "f", 1, 5);
        assertThat(ids(onB, 5)).containsExactlyElementsOf(ids(seen));
        onB.close();
        await(() -> b.hub().subscribers("feed") == 0, "the client left node B");

        List<Published> missed = publish(a.hub(), "feed", "f", 6, 12);
        RawSseClient onC = subscribe(c, "feed", Map.of("Last-Event-ID", seen.get(4).id()));
        await(() -> c.hub().subscribers("feed") == 1, "resumed on node C");
        Published live = a.hub().publish("feed", "f13");

        List<WireEvents.Event> events = onC.awaitEvents(8, WAIT);
        assertThat(data(events)).containsExactlyElementsOf(sequence("f", 6, 13));
        List<String> expected = new ArrayList<>(ids(missed));
        expected.add(live.id());
        assertThat(events.stream().map(WireEvents.Event::id).toList()).containsExactlyElementsOf(expected);
    }

    @Test
    void aClientResumingSeveralTopicsOnEveryNodeInTurnMissesNothingAndRepeatsNothing() throws Exception {
        redis = RedisServer.start(false);
        List<Node> cluster = List.of(node(), node(), node());
        int each = 600;
        String start = cluster.get(0).hub().publish("a", "start").id();
        // two publishers on two nodes, while the reader hops from node to node every 100 events
        CompletableFuture<Void> onA = CompletableFuture.runAsync(() -> publishSlowly(cluster.get(0).hub(), "a", each));
        CompletableFuture<Void> onB = CompletableFuture.runAsync(() -> publishSlowly(cluster.get(1).hub(), "b", each));

        List<String> received = new ArrayList<>();
        String lastId = start;
        long previous = seqOf(start);
        int hops = 0;
        while (received.size() < 2 * each) {
            Node node = cluster.get(hops % cluster.size());
            try (RawSseClient client = RawSseClient.get(URI.create(node.server().uri() + "/t/a,b"), Map.of("Last-Event-ID", lastId))) {
                int want = Math.min(100, 2 * each - received.size());
                for (WireEvents.Event e : client.awaitEvents(want, WAIT).subList(0, want)) {
                    assertThat(e.event()).as("no reset expected").isNotEqualTo("runnel:reset");
                    assertThat(seqOf(e.id())).as("ids increase across topics and nodes").isGreaterThan(previous);
                    previous = seqOf(e.id());
                    received.add(e.data());
                    lastId = e.id();
                }
            }
            hops++;
        }
        onA.get();
        onB.get();
        assertThat(hops).isGreaterThanOrEqualTo(12);
        assertThat(received.stream().filter(s -> s.startsWith("a")).toList()).containsExactlyElementsOf(sequence("a", 1, each));
        assertThat(received.stream().filter(s -> s.startsWith("b")).toList()).containsExactlyElementsOf(sequence("b", 1, each));
    }

    private static void publishSlowly(Hub hub, String topic, int count) {
        try {
            for (int i = 1; i <= count; i++) {
                hub.publish(topic, topic + i);
                if (i % 20 == 0) {
                    Thread.sleep(1);
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- faults --------------------------------------------------------------------------------

    @Test
    void whenRedisRestartsConnectedClientsKeepTheirStreamsAndLoseNothingWhilePublishingInTheOutageFails() throws Exception {
        redis = RedisServer.start(true);
        Node a = node();
        Node b = node();
        Node c = node();
        RawSseClient onB = subscribed(b, "live");
        RawSseClient onC = subscribed(c, "live");
        List<Published> published = new ArrayList<>(publish(a.hub(), "live", "e", 1, 10));
        assertThat(ids(onB, 10)).containsExactlyElementsOf(ids(published));
        // stored in Redis just before it dies: the readers may not have read these yet
        published.addAll(publish(a.hub(), "live", "e", 11, 20));

        redis.kill();

        assertThatThrownBy(() -> a.hub().publish("live", "lost"))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageStartingWith("cannot publish to topic live: Redis at 127.0.0.1:" + redis.port() + " is not reachable");
        await(() -> !b.hub().isReady() && !a.hub().isReady(), "the nodes report themselves unready");
        int beats = onC.occurrences(": heartbeat");
        onC.awaitOccurrences(": heartbeat", beats + 2, WAIT); // the streams stay open and heartbeat
        // a client that arrives during the outage gets its stream, and what it missed once Redis is back
        RawSseClient late = subscribe(c, "live", Map.of("Last-Event-ID", published.get(14).id()));

        redis.start();

        await(() -> a.hub().isReady() && b.hub().isReady() && c.hub().isReady(), "the nodes are ready again");
        published.addAll(publish(a.hub(), "live", "e", 21, 30));
        for (RawSseClient client : List.of(onB, onC)) {
            List<WireEvents.Event> events = client.awaitEvents(30, WAIT);
            assertThat(data(events)).containsExactlyElementsOf(sequence("e", 1, 30));
            assertThat(events.stream().map(WireEvents.Event::id).toList()).containsExactlyElementsOf(ids(published));
        }
        assertThat(data(late.awaitEvents(15, WAIT))).containsExactlyElementsOf(sequence("e", 16, 30));
        assertThat(onB.ended()).isFalse();
    }

    @Test
    void publishingWhileRedisIsDownFailsAtOnceNamingRedis() throws Exception {
        redis = RedisServer.start(false);
        Node a = node();
        redis.kill();
        await(() -> !a.hub().isReady(), "unready");

        long start = System.nanoTime();
        assertThatThrownBy(() -> a.hub().publish("x", "y"))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("Redis at 127.0.0.1:" + redis.port())
                .hasMessageEndingWith("nothing was published");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void whenRedisLosesItsDataSubscribersAreCutOffAndTheirOldIdsGetTheReset() throws Exception {
        redis = RedisServer.start(false); // no persistence: a restart starts empty
        Node a = node();
        Node b = node();
        RawSseClient onB = subscribed(b, "t");
        String seen = a.hub().publish("t", "before").id();
        assertThat(ids(onB, 1)).containsExactly(seen);

        redis.kill();
        redis.start();

        onB.readToEnd(WAIT); // cut off, so the browser reconnects
        await(() -> a.hub().isReady() && b.hub().isReady(), "ready again");
        RawSseClient again = subscribe(b, "t", Map.of("Last-Event-ID", seen));
        WireEvents.Event reset = again.awaitEvents(1, WAIT).get(0);
        assertThat(reset.event()).isEqualTo("runnel:reset");
        assertThat(reset.data()).contains("\"reason\":\"unknown\"");
        await(() -> b.hub().subscribers("t") == 1, "subscribed after the reset");
        Published next = a.hub().publish("t", "after");
        assertThat(again.awaitEvents(2, WAIT).get(1).id()).isEqualTo(next.id());
        assertThat(next.id()).isNotEqualTo(seen).doesNotStartWith(seen.substring(0, seen.indexOf('-') + 1));
    }

    // ---- retention -----------------------------------------------------------------------------

    @Test
    void aResumeFromBeyondTheReplayCountGetsTheResetEventOnAnyNode() throws Exception {
        redis = RedisServer.start(false);
        HubOptions keep5 = HubOptions.DEFAULTS.withReplay(5, Duration.ofMinutes(5));
        Node a = node(keep5);
        Node b = node(keep5);
        List<Published> published = publish(a.hub(), "r", "old", 1, 20);

        RawSseClient tooOld = subscribe(b, "r", Map.of("Last-Event-ID", published.get(1).id()));
        WireEvents.Event reset = tooOld.awaitEvents(1, WAIT).get(0);
        assertThat(reset.event()).isEqualTo("runnel:reset");
        assertThat(reset.data()).isEqualTo("{\"lastEventId\":\"" + published.get(1).id() + "\",\"reason\":\"expired\"}");
        assertThat(reset.id()).isEqualTo(published.get(19).id());

        RawSseClient inside = subscribe(b, "r", Map.of("Last-Event-ID", published.get(15).id()));
        assertThat(data(inside.awaitEvents(4, WAIT))).containsExactly("old17", "old18", "old19", "old20");
        await(() -> b.hub().subscribers("r") == 2, "both subscribed");
        a.hub().publish("r", "live");
        assertThat(tooOld.awaitEvents(2, WAIT).get(1).data()).isEqualTo("live");
        assertThat(inside.awaitEvents(5, WAIT).get(4).data()).isEqualTo("live");
    }

    @Test
    void aResumeFromAnIdRedisAlreadyTrimmedGetsTheResetEvent() throws Exception {
        redis = RedisServer.start(false);
        Node a = node(); // replayCount 1000: Redis keeps about 1000 entries of a topic
        Node b = node();
        String early = a.hub().publish("busy", "first").id();
        for (int i = 0; i < 1300; i++) {
            a.hub().publish("busy", "x" + i);
        }

        RawSseClient client = subscribe(b, "busy", Map.of("Last-Event-ID", early));

        WireEvents.Event reset = client.awaitEvents(1, WAIT).get(0);
        assertThat(reset.event()).isEqualTo("runnel:reset");
        assertThat(reset.data()).contains("\"reason\":\"expired\"");
    }

    @Test
    void aResumeFromBeforeEventsOlderThanTheReplayAgeGetsTheResetEvent() throws Exception {
        redis = RedisServer.start(false);
        HubOptions young = HubOptions.DEFAULTS.withReplay(1000, Duration.ofMillis(300));
        Node a = node(young);
        Node b = node(young);
        String seen = a.hub().publish("aging", "1").id();
        a.hub().publish("aging", "2");
        Thread.sleep(400); // let event 2 grow older than the replay age

        RawSseClient client = subscribe(b, "aging", Map.of("Last-Event-ID", seen));

        WireEvents.Event reset = client.awaitEvents(1, WAIT).get(0);
        assertThat(reset.event()).isEqualTo("runnel:reset");
        assertThat(reset.data()).contains("\"reason\":\"expired\"");
    }

    @Test
    void malformedAndUnknownIdsGetTheResetEventWithTheNewestId() throws Exception {
        redis = RedisServer.start(false);
        Node a = node();
        Node b = node();
        List<Published> published = publish(a.hub(), "q", "v", 1, 3);
        String newest = published.get(2).id();
        String epoch = newest.substring(0, newest.indexOf('-'));
        Map<String, String> cases = Map.of(
                "not-an-id\u00e9", "malformed",
                "x".repeat(5000), "malformed",
                "12345-2", "unknown",
                epoch + "-999999", "unknown");
        for (var c : cases.entrySet()) {
            RawSseClient client = subscribe(b, "q", Map.of("Last-Event-ID", c.getKey()));
            WireEvents.Event reset = client.awaitEvents(1, WAIT).get(0);
            assertThat(reset.event()).isEqualTo("runnel:reset");
            assertThat(reset.data()).contains("\"reason\":\"" + c.getValue() + "\"");
            assertThat(reset.id()).isEqualTo(newest);
        }
    }

    @Test
    void aNodeStartedWithoutRedisFailsSayingWhere() {
        assertThatThrownBy(() -> RedisHubLog.connect(URI.create("redis://127.0.0.1:1")))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageStartingWith("cannot reach Redis at 127.0.0.1:1: ");
    }
}
