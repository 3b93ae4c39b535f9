package dev.runnel.redis;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.hub.TopicSelector;
import dev.runnel.hub.Update;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.RedisServer;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hub's selector model across nodes on one real Redis: updates on several topics, {@code *} and
 * matcher selectors, private updates and publishers' ids behave on every node as on one, because every
 * node reads the whole log. Clients subscribe over loopback HTTP on {@code /s?topic=...}: {@code *} is
 * every topic, a topic ending in {@code *} a prefix matcher, anything else exact; {@code private=...}
 * names what the client is authorized for; the response's {@code X-Resumed} header says how it resumed.
 */
class RedisModelTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HubOptions OPTIONS = HubOptions.DEFAULTS.withPublisherIds(true);
    private RedisServer redis;
    private final List<Node> nodes = new ArrayList<>();
    private final List<RawSseClient> clients = new CopyOnWriteArrayList<>();

    private record Node(RunnelServer server, SseEngine engine) {
        Hub hub() {
            return engine.hub();
        }
    }

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start(false);
    }

    @AfterEach
    void stop() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        nodes.forEach(n -> n.server().stop());
        redis.close();
    }

    private static TopicSelector selector(String text) {
        if (text.equals("*")) {
            return TopicSelector.ANY;
        }
        if (text.endsWith("*")) {
            String prefix = text.substring(0, text.length() - 1);
            return TopicSelector.matching(text, t -> t.startsWith(prefix));
        }
        return TopicSelector.exact(text);
    }

    private static EventStream subscription(Hub hub, RequestContext req) {
        SubscribeRequest.Builder wanted = SubscribeRequest.builder().resetEvents(false);
        req.query().getOrDefault("topic", List.of()).forEach(t -> wanted.select(selector(t)));
        wanted.privateSelectors(req.query().getOrDefault("private", List.of()).stream().map(RedisModelTest::selector).toList());
        String last = req.lastEventId().orElse(null);
        if ("earliest".equals(last)) {
            wanted.fromEarliest();
        } else {
            wanted.resumeAfter(last);
        }
        EventStream.Subscribed s = hub.subscribe(req, wanted.build());
        return s.header("X-Resumed", s.resumed().name()).heartbeat(Duration.ofSeconds(1));
    }

    private Node node() {
        SseEngine engine = SseEngine.builder().hub(OPTIONS).hubLog(RedisHubLog.connect(redis.uri())).build();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/s", req -> subscription(engine.hub(), req));
        server.start();
        Node node = new Node(server, engine);
        nodes.add(node);
        return node;
    }

    private RawSseClient open(Node node, String query, Map<String, String> headers) throws IOException {
        RawSseClient client = RawSseClient.get(URI.create(node.server().uri() + "/s?" + query), headers);
        clients.add(client);
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    private static String q(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<String> data(List<WireEvents.Event> events) {
        return events.stream().map(WireEvents.Event::data).toList();
    }

    /** Waits until {@code node} has {@code n} subscriptions more than it had, counting what its hub delivers to. */
    private static void awaitLive(Node node, String probeTopic) throws InterruptedException {
        dev.runnel.testkit.Await.until(() -> node.hub().publish(Update.of(probeTopic, "probe")).subscribers() > 0,
                "a subscription on " + node.server().uri() + " receives " + probeTopic, WAIT);
    }

    @Test
    void anUpdateOnSeveralTopicsPublishedOnOneNodeReachesSelectorsAndExactTopicsOnAnotherOnce() throws Exception {
        Node a = node();
        Node b = node();
        RawSseClient exact = open(b, q("topic", "https://ex.com/users/7"), Map.of());
        RawSseClient prefixed = open(b, q("topic", "https://ex.com/books/*") + "&" + q("topic", "https://ex.com/users/7"), Map.of());
        RawSseClient any = open(b, q("topic", "*"), Map.of());
        awaitLive(b, "https://ex.com/users/7");

        a.hub().publish(Update.of(List.of("https://ex.com/books/1", "https://ex.com/users/7"), "book one").withId("urn:uuid:1"));

        for (RawSseClient c : List.of(exact, prefixed, any)) {
            List<WireEvents.Event> events = c.awaitEvents(2, WAIT);
            assertThat(events.get(1).id()).isEqualTo("urn:uuid:1");
            assertThat(events.get(1).data()).isEqualTo("book one");
        }
        // a later update on one of its topics comes after any copy of the first: then count
        a.hub().publish(Update.of("https://ex.com/users/7", "marker").withId("urn:uuid:2"));
        prefixed.awaitEvents(3, WAIT);
        assertThat(WireEvents.parse(prefixed.text())).extracting(WireEvents.Event::id).as("once, though two of its selectors match")
                .hasSize(3).endsWith("urn:uuid:1", "urn:uuid:2");
    }

    @Test
    void aPrivateUpdateReachesOnlyAuthorizedSubscriptionsOnEveryNodeAndIsNeverReplayedToOthers() throws Exception {
        Node a = node();
        Node b = node();
        RawSseClient anonymous = open(b, q("topic", "*"), Map.of());
        RawSseClient allowed = open(b, q("topic", "*") + "&" + q("private", "https://ex.com/orders/*"), Map.of());
        awaitLive(b, "probe");

        a.hub().publish(Update.of("https://ex.com/orders/9", "secret").asPrivate().withId("s1"));
        a.hub().publish(Update.of("https://ex.com/news", "public").withId("p1"));

        assertThat(data(allowed.awaitEvents(3, WAIT))).containsExactly("probe", "secret", "public");
        assertThat(data(anonymous.awaitEvents(2, WAIT))).containsExactly("probe", "public");
        RawSseClient replayAnonymous = open(a, q("topic", "*"), Map.of("Last-Event-ID", "earliest"));
        assertThat(data(replayAnonymous.awaitEvents(2, WAIT))).containsExactly("probe", "public");
        RawSseClient probing = open(a, q("topic", "*"), Map.of("Last-Event-ID", "s1"));
        assertThat(probing.header("X-Resumed")).as("a private id is never confirmed").isEqualTo("NOT_FOUND");
    }

    @Test
    void aClientResumesByAPublishersIdOnAnotherNodeAtOnceAfterThePublish() throws Exception {
        Node a = node();
        Node b = node();
        a.hub().publish(Update.of("t", "1").withId("one"));
        a.hub().publish(Update.of("t", "2").withId("two"));
        a.hub().publish(Update.of("u", "3").withId("three"));

        // no wait for b's reader: resolving an id waits until b has read what the log held
        RawSseClient back = open(b, q("topic", "t") + "&" + q("topic", "u"), Map.of("Last-Event-ID", "one"));

        assertThat(back.header("X-Resumed")).isEqualTo("FOUND");
        assertThat(back.awaitEvents(2, WAIT)).extracting(WireEvents.Event::id).containsExactly("two", "three");
        RawSseClient unknown = open(b, q("topic", "t"), Map.of("Last-Event-ID", "nope"));
        assertThat(unknown.header("X-Resumed")).isEqualTo("NOT_FOUND");
    }

    @Test
    void aNodeStartedLaterLoadsTheHistoryAndServesEarliestAndIdsAsTheOthers() throws Exception {
        Node a = node();
        for (int i = 1; i <= 2500; i++) { // more than one read's worth
            a.hub().publish(Update.of(i % 2 == 0 ? "even" : "odd", "v" + i).withId("id-" + i));
        }

        Node late = node();

        RawSseClient fromId = open(late, q("topic", "even"), Map.of("Last-Event-ID", "id-2494"));
        assertThat(fromId.header("X-Resumed")).isEqualTo("FOUND");
        assertThat(data(fromId.awaitEvents(3, WAIT))).containsExactly("v2496", "v2498", "v2500");
        RawSseClient earliest = open(late, q("topic", "odd"), Map.of("Last-Event-ID", "earliest"));
        assertThat(earliest.header("X-Resumed")).isEqualTo("EARLIEST");
        // everything still held: the newest replay count (1000) of "odd"'s 1250 events, as on node a
        assertThat(earliest.awaitEvents(1000, WAIT).get(0).data()).isEqualTo("v501");
        RawSseClient onA = open(a, q("topic", "odd"), Map.of("Last-Event-ID", "earliest"));
        assertThat(onA.awaitEvents(1000, WAIT).get(0).data()).isEqualTo("v501");
    }
}
