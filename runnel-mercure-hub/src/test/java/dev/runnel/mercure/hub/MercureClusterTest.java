package dev.runnel.mercure.hub;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.mercure.jetty.MercureRoutes;
import dev.runnel.redis.RedisHubLog;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.FaultProxy;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.RedisServer;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Active subscriptions on a hub of several nodes on one Redis: the API and the subscription events
 * cover every node, and when a node dies (its path to Redis cut, without any cleanup), another node
 * announces the end of each of its subscriptions, once, within 10 s.
 */
class MercureClusterTest {

    private static final String KEY = "a-secret-of-at-least-thirty-two-bytes!!";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration DEAD_AFTER = Duration.ofMillis(1500);
    /** How long to listen for a second announcement after the first: a racing node would send it within a heartbeat or two. */
    private static final Duration QUIET = DEAD_AFTER.plus(HEARTBEAT.multipliedBy(2));
    private static final String EVENTS = "/.well-known/mercure/subscriptions/{topic}/{subscriber}";
    private static final String API = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
    private static final String SELECTOR = "https://example.com/books/{id}";
    private static final String OTHER = "https://example.com/ünïcödé/{x}";

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private RedisServer redis;

    /** One node: its own path to Redis (a proxy that can cut it), engine, server and Mercure hub. */
    private record Node(FaultProxy toRedis, SseEngine engine, RunnelServer server) {
        URI uri(String path) {
            return server.uri().resolve(path);
        }

        /** Dies as far as the cluster can tell: every connection to Redis dropped, none taken again. */
        void cutOff() {
            toRedis.refuse(true);
            toRedis.cutAll();
        }
    }

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start(false);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a node cut off from Redis closes as well as it can
            }
        }
        redis.close();
    }

    private Node node() throws Exception {
        FaultProxy proxy = FaultProxy.to(redis.port());
        open.add(proxy);
        RedisHubLog log = RedisHubLog.builder(URI.create("redis://127.0.0.1:" + proxy.port()))
                .liveness(HEARTBEAT, DEAD_AFTER).build();
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).hubLog(log).build();
        RunnelServer server = RunnelServer.builder().host("127.0.0.1").port(0).engine(engine).build();
        open.add(server::stop);
        MercureOptions options = MercureOptions.builder().jwt("HS256", KEY).subscriptions(true).build();
        MercureRoutes.mount(server, MercureHub.of(engine.hub(), options));
        server.start();
        return new Node(proxy, engine, server);
    }

    private static String token(List<String> subscribe) throws Exception {
        return MercureHubServerTest.jwt(Map.of("subscribe", subscribe, "payload", Map.of("user", "ada")));
    }

    private static String publisherToken() {
        try {
            return MercureHubServerTest.jwt(Map.of("publish", List.of("*")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private RawSseClient subscribe(Node node, List<String> subscribe, String... topics) throws Exception {
        String query = java.util.Arrays.stream(topics).map(t -> "topic=" + encode(t)).collect(Collectors.joining("&"));
        RawSseClient client = RawSseClient.get(node.uri("/.well-known/mercure?" + query),
                Map.of("Authorization", "Bearer " + token(subscribe)));
        open.add(client);
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    private HttpResponse<String> get(Node node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri(path)).header("Authorization", "Bearer " + token(List.of(API))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listed(HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return (List<Map<String, Object>>) JSONObjectUtils.parse(answer.body()).get("subscriptions");
    }

    /** The subscription events among {@code events} of the subscriptions whose topic is one of {@code topics}. */
    private static List<Map<String, Object>> about(List<WireEvents.Event> events, Set<String> topics) throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (WireEvents.Event e : events) {
            Map<String, Object> doc = JSONObjectUtils.parse(e.data());
            if (topics.contains((String) doc.get("topic"))) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /** Reads until {@code count} subscription events about {@code topics} came; returns them. */
    private static List<Map<String, Object>> awaitAbout(RawSseClient client, Set<String> topics, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int events = 1;
        while (true) {
            List<WireEvents.Event> all = client.awaitEvents(events, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            List<Map<String, Object>> docs = about(all, topics);
            if (docs.size() >= count) {
                return docs;
            }
            events = all.size() + 1;
        }
    }

    /** The subscription events about {@code topics} that came within {@code quiet} more. */
    private static List<Map<String, Object>> allAbout(RawSseClient client, Set<String> topics, Duration quiet) throws Exception {
        List<WireEvents.Event> all = client.awaitEvents(0, quiet);
        try {
            all = client.awaitEvents(all.size() + 100, quiet);
        } catch (AssertionError timedOut) {
            all = client.awaitEvents(0, quiet); // what did come
        }
        return about(all, topics);
    }

    @Test
    void theApiOnOneNodeListsASubscriptionHeldOnAnother() throws Exception {
        Node a = node();
        Node b = node();
        subscribe(a, List.of(SELECTOR), SELECTOR);
        Await.until(() -> a.engine().openStreams() == 1, "subscribed on a", WAIT);

        List<Map<String, Object>> all = listed(get(b, "/.well-known/mercure/subscriptions"));
        assertThat(all).extracting(s -> s.get("topic")).containsExactly(SELECTOR);
        Map<String, Object> held = all.get(0);
        assertThat(held).containsEntry("active", true).containsEntry("payload", Map.of("user", "ada"));

        assertThat(listed(get(b, "/.well-known/mercure/subscriptions/" + encode(SELECTOR))))
                .extracting(s -> s.get("id")).containsExactly(held.get("id"));
        String published = dev.runnel.client.MercurePublisher.builder(a.uri("/.well-known/mercure"))
                .token(() -> publisherToken()).build().publish(dev.runnel.client.MercureUpdate.of("https://example.com/books/1", "x"));
        Await.until(() -> {
            try {
                return published.equals(JSONObjectUtils.parse(get(b, "/.well-known/mercure/subscriptions").body()).get("lastEventID"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "b's lastEventID is the update published on a", WAIT);
        HttpResponse<String> one = get(b, (String) held.get("id"));
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(JSONObjectUtils.parse(one.body())).containsEntry("id", held.get("id")).containsEntry("active", true)
                .containsEntry("subscriber", held.get("subscriber"));
    }

    @Test
    void aWatcherOnOneNodeSeesASubscriptionOnAnotherStartAndEnd() throws Exception {
        Node a = node();
        Node b = node();
        RawSseClient watcher = subscribe(b, List.of(EVENTS), EVENTS);
        RawSseClient subject = subscribe(a, List.of(SELECTOR), SELECTOR);
        awaitAbout(watcher, Set.of(SELECTOR), 1);

        subject.close();

        awaitAbout(watcher, Set.of(SELECTOR), 2);
        assertThat(awaitAbout(watcher, Set.of(SELECTOR), 2)).extracting(d -> d.get("active")).containsExactly(true, false);
        Await.until(() -> {
            try {
                return listed(get(b, "/.well-known/mercure/subscriptions/" + encode(SELECTOR))).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "unlisted on b", WAIT);
    }

    @Test
    void whenANodeDiesOneOfTheOthersAnnouncesTheEndOfEachOfItsSubscriptionsOnceWithinTenSeconds() throws Exception {
        Node a = node();
        Node b = node();
        Node c = node();
        Node d = node();
        RawSseClient watcher = subscribe(b, List.of(EVENTS), EVENTS);
        subscribe(a, List.of("*"), SELECTOR, OTHER);
        subscribe(a, List.of("*"), SELECTOR);
        Set<String> topics = Set.of(SELECTOR, OTHER);
        awaitAbout(watcher, topics, 3);
        assertThat(listed(get(c, "/.well-known/mercure/subscriptions"))).hasSize(4); // a's three and the watcher's

        long cut = System.nanoTime();
        a.cutOff();

        awaitAbout(watcher, topics, 6);
        assertThat(Duration.ofNanos(System.nanoTime() - cut)).isLessThan(Duration.ofSeconds(10));
        // time for a duplicate to show, were there one
        List<Map<String, Object>> seen = allAbout(watcher, topics, QUIET);
        assertThat(seen).hasSize(6);
        Set<Object> started = seen.subList(0, 3).stream().map(s -> s.get("id")).collect(Collectors.toSet());
        assertThat(seen.subList(0, 3)).extracting(s -> s.get("active")).containsOnly(true);
        assertThat(seen.subList(3, 6)).extracting(s -> s.get("active")).containsOnly(false);
        assertThat(seen.subList(3, 6).stream().map(s -> s.get("id")).collect(Collectors.toSet())).isEqualTo(started).hasSize(3);
        assertThat(seen.subList(3, 6)).extracting(s -> s.get("payload")).containsOnly(Map.of("user", "ada"));

        for (Node survivor : List.of(b, c, d)) {
            assertThat(listed(get(survivor, "/.well-known/mercure/subscriptions"))).extracting(s -> s.get("topic"))
                    .containsExactly(EVENTS);
        }
    }

    @Test
    void aNodeTakenForDeadThatComesBackListsItsSubscriptionsAgainAfterTheirEnd() throws Exception {
        Node a = node();
        Node b = node();
        RawSseClient watcher = subscribe(b, List.of(EVENTS), EVENTS);
        subscribe(a, List.of(SELECTOR), SELECTOR);
        awaitAbout(watcher, Set.of(SELECTOR), 1);

        a.cutOff();
        awaitAbout(watcher, Set.of(SELECTOR), 2);
        a.toRedis().refuse(false);

        awaitAbout(watcher, Set.of(SELECTOR), 3);
        List<Map<String, Object>> seen = awaitAbout(watcher, Set.of(SELECTOR), 3);
        assertThat(seen).extracting(s -> s.get("active")).containsExactly(true, false, true);
        assertThat(seen).extracting(s -> s.get("id")).containsOnly(seen.get(0).get("id"));
        assertThat(listed(get(b, "/.well-known/mercure/subscriptions/" + encode(SELECTOR))))
                .extracting(s -> s.get("id")).containsExactly(seen.get(0).get("id"));
    }

    @Test
    void aNodeThatShutsDownAnnouncesTheEndOfItsSubscriptionsItselfOnce() throws Exception {
        Node a = node();
        Node b = node();
        RawSseClient watcher = subscribe(b, List.of(EVENTS), EVENTS);
        subscribe(a, List.of(SELECTOR), SELECTOR, OTHER);
        Set<String> topics = Set.of(SELECTOR, OTHER);
        awaitAbout(watcher, topics, 2);

        a.server().stop();

        awaitAbout(watcher, topics, 4);
        List<Map<String, Object>> seen = allAbout(watcher, topics, QUIET);
        assertThat(seen).extracting(s -> s.get("active")).containsExactly(true, true, false, false);
        assertThat(listed(get(b, "/.well-known/mercure/subscriptions"))).extracting(s -> s.get("topic")).containsExactly(EVENTS);
    }

    @Test
    void aSubscriptionThatEndsWhileItsNodeCannotReachRedisIsAnnouncedEndedOnceRedisIsBack() throws Exception {
        Node a = node();
        Node b = node();
        RawSseClient watcher = subscribe(b, List.of(EVENTS), EVENTS);
        RawSseClient subject = subscribe(a, List.of(SELECTOR), SELECTOR);
        awaitAbout(watcher, Set.of(SELECTOR), 1);

        a.cutOff();
        assertThat(a.engine().closeStreams(r -> true)).as("the subject's stream ended on a").isEqualTo(1);
        subject.close();
        a.toRedis().refuse(false);

        awaitAbout(watcher, Set.of(SELECTOR), 2);
        // by a once back, or by b had a been taken for dead meanwhile: once either way
        List<Map<String, Object>> seen = allAbout(watcher, Set.of(SELECTOR), QUIET);
        assertThat(seen).extracting(s -> s.get("active")).containsExactly(true, false);
        assertThat(listed(get(b, "/.well-known/mercure/subscriptions/" + encode(SELECTOR)))).isEmpty();
    }

    @Test
    void theApiAnswers503WhileItsNodeCannotReachRedis() throws Exception {
        Node a = node();
        a.cutOff();

        HttpResponse<String> answer = get(a, "/.well-known/mercure/subscriptions");

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
    }
}
