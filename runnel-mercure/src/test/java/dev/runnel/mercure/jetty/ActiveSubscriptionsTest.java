package dev.runnel.mercure.jetty;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.runnel.mercure.jetty.MercureFixture.SUBSCRIBER_KEY;
import static dev.runnel.mercure.jetty.MercureFixture.subscriber;
import static dev.runnel.mercure.jetty.MercureFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The draft's "Active Subscriptions" section: subscription events and the web API, over HTTP. */
class ActiveSubscriptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String EVENTS = "/.well-known/mercure/subscriptions/{topic}/{subscriber}";
    private static final String API = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
    private static final String SELECTOR = "https://example.com/{selector}";
    private MercureFixture hub;

    @BeforeEach
    void start() {
        hub = MercureFixture.start(o -> o.anonymous(true).subscriptions(true));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }

    private static Map<String, Object> json(String text) throws Exception {
        return JSONObjectUtils.parse(text);
    }

    private String subjectToken() {
        return token(SUBSCRIBER_KEY, Map.of("subscribe", List.of(SELECTOR), "payload", Map.of("user", "ada", "groups", List.of("a", "b"))), null, null);
    }

    /** The subscription events for {@code selector} among {@code events}, as JSON. */
    private static Map<String, Object> eventFor(List<WireEvents.Event> events, String selector) throws Exception {
        for (WireEvents.Event event : events) {
            Map<String, Object> doc = json(event.data());
            if (selector.equals(doc.get("topic"))) {
                return doc;
            }
        }
        throw new AssertionError("no subscription event for " + selector + " in " + events);
    }

    @Test
    void aSubscriptionIsAnnouncedPrivatelyWhenItStartsAndWhenItEnds() throws Exception {
        // the anonymous subscriber first, so the watcher sees the subject's events only
        try (RawSseClient anonymous = hub.subscribe(Map.of(), "topic", EVENTS, "topic", "urn:marker");
             RawSseClient watcher = hub.subscribe(subscriber(EVENTS), "topic", EVENTS)) {
            RawSseClient subject = hub.subscribe(subjectToken(), "topic", SELECTOR);
            // the subject selects its topic and the fixture's probe: two subscriptions, two events
            List<WireEvents.Event> started = watcher.awaitEvents(2, WAIT);
            Map<String, Object> doc = eventFor(started, SELECTOR);
            String subscriberId = (String) doc.get("subscriber");
            String expectedId = "/.well-known/mercure/subscriptions/" + encode(SELECTOR) + "/" + encode(subscriberId);

            assertThat(subscriberId).matches("urn:uuid:[0-9a-f-]{36}");
            assertThat(doc).containsEntry("@context", "https://mercure.rocks/").containsEntry("type", "Subscription")
                    .containsEntry("id", expectedId).containsEntry("topic", SELECTOR).containsEntry("active", true)
                    .containsEntry("payload", Map.of("user", "ada", "groups", List.of("a", "b")));
            assertThat(expectedId).contains("https%3A%2F%2Fexample.com%2F%7Bselector%7D").contains("urn%3Auuid%3A");
            assertThat(eventFor(started, (String) json(started.get(0).data()).get("topic")).get("subscriber"))
                    .as("one identifier per connection").isEqualTo(subscriberId);

            subject.close();
            List<WireEvents.Event> all = watcher.awaitEvents(4, WAIT);
            Map<String, Object> ended = eventFor(all.subList(2, 4), SELECTOR);
            assertThat(ended).containsEntry("active", false).containsEntry("id", expectedId).containsEntry("subscriber", subscriberId);

            hub.publishOk("topic", "urn:marker", "data", "marker", "id", "urn:marker");
            assertThat(anonymous.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).as("private: never to the anonymous").containsExactly("marker");
        }
    }

    @Test
    void theApiListsActiveSubscriptionsAsJsonLdWithTheLastEventId() throws Exception {
        Map<String, String> reader = Map.of("Authorization", "Bearer " + subscriber(API));
        try (RawSseClient subject = hub.subscribe(subjectToken(), "topic", SELECTOR)) {
            HttpResponse<String> all = hub.get(hub.uri("/.well-known/mercure/subscriptions"), reader);
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/ld+json"));
            Map<String, Object> doc = json(all.body());
            assertThat(doc).containsEntry("@context", "https://mercure.rocks/").containsEntry("type", "Subscriptions")
                    .containsEntry("id", "/.well-known/mercure/subscriptions");
            assertThat((String) doc.get("lastEventID")).startsWith("urn:uuid:");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> listed = (List<Map<String, Object>>) doc.get("subscriptions");
            assertThat(listed).extracting(s -> s.get("topic")).contains(SELECTOR);
            Map<String, Object> mine = listed.stream().filter(s -> SELECTOR.equals(s.get("topic"))).findFirst().orElseThrow();
            assertThat(mine).containsEntry("type", "Subscription").containsEntry("active", true)
                    .containsEntry("payload", Map.of("user", "ada", "groups", List.of("a", "b")));

            String byTopic = "/.well-known/mercure/subscriptions/" + encode(SELECTOR);
            Map<String, Object> ofTopic = json(hub.get(hub.uri(byTopic), reader).body());
            assertThat(ofTopic).containsEntry("id", byTopic).containsEntry("type", "Subscriptions");
            assertThat((List<?>) ofTopic.get("subscriptions")).hasSize(1);

            String one = (String) mine.get("id");
            HttpResponse<String> single = hub.get(hub.uri(one), reader);
            assertThat(single.statusCode()).isEqualTo(200);
            assertThat(json(single.body())).containsEntry("id", one).containsEntry("type", "Subscription")
                    .containsEntry("@context", "https://mercure.rocks/").containsKey("lastEventID");
        }
    }

    @Test
    void anEndedOrUnknownSubscriptionIs404AndLeavesTheCollection() throws Exception {
        Map<String, String> reader = Map.of("Authorization", "Bearer " + subscriber(API));
        String one;
        try (RawSseClient subject = hub.subscribe(subjectToken(), "topic", SELECTOR)) {
            Map<String, Object> ofTopic = json(hub.get(hub.uri("/.well-known/mercure/subscriptions/" + encode(SELECTOR)), reader).body());
            one = (String) ((Map<?, ?>) ((List<?>) ofTopic.get("subscriptions")).getFirst()).get("id");
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (hub.get(hub.uri(one), reader).statusCode() != 404) {
            assertThat(System.nanoTime()).as("the ended subscription leaves").isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions/" + encode("urn:nothing") + "/" + encode("urn:uuid:nobody")), reader)
                .statusCode()).isEqualTo(404);
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions/a/b/c"), Map.of("Authorization", "Bearer " + subscriber("*")))
                .statusCode()).isEqualTo(404);
        Map<String, Object> ofTopic = json(hub.get(hub.uri("/.well-known/mercure/subscriptions/" + encode(SELECTOR)), reader).body());
        assertThat((List<?>) ofTopic.get("subscriptions")).isEmpty();
    }

    @Test
    void theApiNeedsATokenWhoseSubscribeSelectorsMatchTheUrl() throws Exception {
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions"), Map.of()).statusCode()).isEqualTo(401);
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions"), Map.of("Authorization", "Bearer " + subscriber(SELECTOR)))
                .statusCode()).isEqualTo(401);
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions"), Map.of("Authorization", "Bearer garbage"))
                .statusCode()).isEqualTo(401);
        // a selector for one topic's collection reads that one only
        String byTopic = "/.well-known/mercure/subscriptions/" + encode(SELECTOR);
        Map<String, String> narrow = Map.of("Authorization", "Bearer " + subscriber(byTopic));
        assertThat(hub.get(hub.uri(byTopic), narrow).statusCode()).isEqualTo(200);
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions"), narrow).statusCode()).isEqualTo(401);
    }

    @Test
    void beforeAnythingWasDispatchedTheLastEventIdIsEarliest() throws Exception {
        HttpResponse<String> all = hub.get(hub.uri("/.well-known/mercure/subscriptions"),
                Map.of("Authorization", "Bearer " + subscriber(API)));
        assertThat(json(all.body())).containsEntry("lastEventID", "earliest").containsEntry("subscriptions", List.of());
    }

    @Test
    void theLastEventIdOfTheApiIsTheLastUpdateDispatched() throws Exception {
        String id = hub.publishOk("topic", "t", "data", "x");
        HttpResponse<String> all = hub.get(hub.uri("/.well-known/mercure/subscriptions"),
                Map.of("Authorization", "Bearer " + subscriber(API)));
        assertThat(json(all.body())).containsEntry("lastEventID", id);
    }

    @Test
    void withActiveSubscriptionsOffTheApiIs404AndNothingIsAnnounced() throws Exception {
        hub.close();
        hub = MercureFixture.start(o -> o.anonymous(true));
        assertThat(hub.get(hub.uri("/.well-known/mercure/subscriptions"), Map.of("Authorization", "Bearer " + subscriber(API)))
                .statusCode()).isEqualTo(404);
        try (RawSseClient watcher = hub.subscribe(subscriber("*"), "topic", "*");
             RawSseClient subject = hub.subscribe(subjectToken(), "topic", SELECTOR)) {
            hub.publishOk("topic", "urn:marker", "data", "marker", "id", "urn:marker");
            assertThat(watcher.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("marker");
        }
    }

    @Test
    void aSubscriptionWhoseTokenExpiresIsAnnouncedInactive() throws Exception {
        try (RawSseClient watcher = hub.subscribe(subscriber(EVENTS), "topic", EVENTS)) {
            java.time.Instant expires = java.time.Instant.now().plusSeconds(2);
            RawSseClient subject = hub.subscribeAsIs(Map.of("Authorization", "Bearer "
                    + token(SUBSCRIBER_KEY, Map.of("subscribe", List.of("*")), expires, null)), "topic", SELECTOR);
            assertThat(watcher.awaitEvents(1, WAIT).getFirst().data()).contains("\"active\":true");

            List<WireEvents.Event> both = watcher.awaitEvents(2, WAIT);
            assertThat(json(both.get(1).data())).containsEntry("active", false).containsEntry("topic", SELECTOR);
            subject.readToEnd(WAIT);
            assertThat(subject.ended()).as("the subject's stream ended with its token").isTrue();
            assertThat(java.time.Instant.now()).isAfter(expires.minusSeconds(1));
            subject.close();
        }
    }

    @Test
    void aSelectorWhoseSubscriptionTopicWouldBeTooLongIs400NeverA500() throws Exception {
        // 2,000 chars is a valid selector (sent here as raw UTF-8 in the query, 6 KB: within the request
        // line's limit), but percent-encoded as UTF-8 (9 chars for each of these) its subscription's topic
        // is longer than any topic the hub takes, so it cannot be announced
        String selector = "https://example.com/" + "\u4e2d".repeat(1_980);
        assertThat(selector.length()).isLessThanOrEqualTo(2048);
        try (RawSseClient subject = RawSseClient.get(java.net.URI.create(hub.hubUri() + "?topic=" + selector), Map.of())) {
            assertThat(subject.status()).isEqualTo(400);
        }
        // the same selector percent-encoded, as browsers send it, is too long for the request line
        try (RawSseClient encoded = hub.subscribeAsIs(Map.of(), "topic", selector)) {
            assertThat(encoded.status()).isIn(400, 414, 431);
        }
    }

    @Test
    void manySubscribersLeavingAtOnceAreEachUnlistedAndAnnouncedEndedExactlyOnce() throws Exception {
        int count = 20;
        Map<String, String> reader = Map.of("Authorization", "Bearer " + subscriber(API));
        try (RawSseClient watcher = hub.subscribe(subscriber(EVENTS), "topic", EVENTS)) {
            List<RawSseClient> subjects = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                subjects.add(hub.subscribeAsIs(Map.of(), "topic", "urn:leaving:" + i));
            }
            watcher.awaitEvents(count, WAIT);
            // half leave politely, half reset the connection, all at once
            List<Thread> leaving = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                RawSseClient subject = subjects.get(i);
                boolean reset = i % 2 == 0;
                leaving.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (reset) {
                            subject.reset();
                        } else {
                            subject.close();
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : leaving) {
                t.join();
            }
            List<WireEvents.Event> events = watcher.awaitEvents(2 * count, WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (hub.get(hub.uri("/.well-known/mercure/subscriptions"), reader).body().contains("urn:leaving")
                    || hub.engine.openStreams() != 1) {
                assertThat(System.nanoTime()).as("every subject unlisted").isLessThan(deadline);
                Thread.sleep(5);
            }
            java.util.Map<Object, Long> endsPerTopic = new java.util.HashMap<>();
            for (WireEvents.Event e : events) {
                Map<String, Object> doc = json(e.data());
                if (Boolean.FALSE.equals(doc.get("active"))) {
                    endsPerTopic.merge(doc.get("topic"), 1L, Long::sum);
                }
            }
            assertThat(endsPerTopic).hasSize(count).allSatisfy((topic, ends) -> assertThat(ends).as("%s", topic).isEqualTo(1L));
        }
    }
}
