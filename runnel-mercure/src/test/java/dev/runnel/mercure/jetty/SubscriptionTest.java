package dev.runnel.mercure.jetty;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.runnel.mercure.jetty.MercureFixture.SUBSCRIBER_KEY;
import static dev.runnel.mercure.jetty.MercureFixture.subscriber;
import static dev.runnel.mercure.jetty.MercureFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The draft's "Subscription" section, and the subscriber half of "Authorization", over HTTP. */
class SubscriptionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private MercureFixture hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    private MercureFixture start(boolean anonymous) {
        hub = MercureFixture.start(o -> o.anonymous(anonymous));
        return hub;
    }

    @Test
    void aSubscriptionWithoutATopicIs400() throws Exception {
        start(true);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of())) {
            assertThat(sub.status()).isEqualTo(400);
        }
    }

    @Test
    void anAnonymousSubscriberIs401UnlessAnonymousSubscribersAreServed() throws Exception {
        start(false);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
            assertThat(sub.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        try (RawSseClient sub = hub.subscribe(subscriber(), "topic", "t")) {
            assertThat(sub.status()).as("a valid token without selectors subscribes to public updates").isEqualTo(200);
        }
    }

    @Test
    void anInvalidTokenIs401EvenWhenAnonymousSubscribersAreServed() throws Exception {
        start(true);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer not.a.token"), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
        }
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Cookie", "mercureAuthorization=" + token(SUBSCRIBER_KEY,
                Map.of("subscribe", List.of("*")), Instant.now().minusSeconds(5), null)), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
        }
    }

    @Test
    void anAnonymousSubscriberReceivesPublicUpdatesOnlyAsTextEventStream() throws Exception {
        start(true);
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "https://example.com/books/1")) {
            assertThat(sub.header("Content-Type")).startsWith("text/event-stream");
            hub.publishOk("topic", "https://example.com/books/1", "data", "private one", "private", "on", "id", "urn:1");
            hub.publishOk("topic", "https://example.com/books/1", "data", "public one", "id", "urn:2");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("public one");
            assertThat(sub.text()).doesNotContain("private one");
        }
    }

    @Test
    void aPrivateUpdateReachesOnlySubscribersWhoseClaimMatchesOneOfItsTopicsCanonicalOrAlternate() throws Exception {
        start(true);
        // the draft's example: subscribed to every book, authorized through an alternate topic per user
        try (RawSseClient foo = hub.subscribe(subscriber("https://example.com/users/foo/{?topic}"), "topic", "https://example.com/books/{id}");
             RawSseClient bar = hub.subscribe(subscriber("https://example.com/users/bar/{?topic}"), "topic", "https://example.com/books/{id}");
             RawSseClient canonical = hub.subscribe(subscriber("https://example.com/books/1"), "topic", "https://example.com/books/{id}")) {
            hub.publishOk("topic", "https://example.com/books/1",
                    "topic", "https://example.com/users/foo/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1",
                    "private", "on", "data", "for foo", "id", "urn:foo");
            hub.publishOk("topic", "https://example.com/books/2", "data", "public", "id", "urn:public");

            assertThat(foo.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("for foo", "public");
            assertThat(canonical.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("for foo", "public");
            assertThat(bar.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("public");
            assertThat(bar.text()).doesNotContain("for foo");
        }
    }

    @Test
    void selectorsMatchByStarExactTopicAndUriTemplate() throws Exception {
        start(true);
        try (RawSseClient star = hub.subscribe(Map.of(), "topic", "*");
             RawSseClient exact = hub.subscribe(Map.of(), "topic", "https://example.com/books/1");
             RawSseClient template = hub.subscribe(Map.of(), "topic", "https://example.com/books/{id}")) {
            hub.publishOk("topic", "https://example.com/books/1", "data", "book 1", "id", "urn:1");
            hub.publishOk("topic", "https://example.com/books/2", "data", "book 2", "id", "urn:2");
            hub.publishOk("topic", "https://example.com/authors/1", "data", "author", "id", "urn:3");
            hub.publishOk("topic", "https://example.com/books/1", "data", "end", "id", "urn:4");

            assertThat(star.awaitEvents(4, WAIT)).extracting(WireEvents.Event::data).containsExactly("book 1", "book 2", "author", "end");
            assertThat(exact.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("book 1", "end");
            assertThat(template.awaitEvents(3, WAIT)).extracting(WireEvents.Event::data).containsExactly("book 1", "book 2", "end");
        }
    }

    @Test
    void aSelectorThatIsNotAValidTemplateMatchesItselfExactly() throws Exception {
        start(true);
        String broken = "https://example.com/{unclosed";
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", broken)) {
            hub.publishOk("topic", "https://example.com/anything", "data", "no", "id", "urn:1");
            hub.publishOk("topic", broken, "data", "yes", "id", "urn:2");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("yes");
        }
    }

    @Test
    void aSubscriptionAuthorizedByTheQueryParameterIsCacheControlPrivate() throws Exception {
        start(false);
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t", "authorization", subscriber("*"))) {
            assertThat(sub.status()).isEqualTo(200);
            assertThat(sub.header("Cache-Control")).contains("private");
        }
        try (RawSseClient sub = hub.subscribe(subscriber("*"), "topic", "t")) {
            assertThat(sub.header("Cache-Control")).doesNotContain("private");
        }
    }

    @Test
    void aThousandSelectorsInOneSubscriptionAre400UnderTheDefaultMaximumAnd414BeyondTheHeaderCap() throws Exception {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            pairs.add("topic");
            pairs.add("https://example.com/é/" + i);
        }
        // a URL of about 40 KB: within a 64 KiB cap the hub reads it and refuses it for its 1,000 selectors (at most 100)
        hub = MercureFixture.start(SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)), o -> o.anonymous(true),
                server -> server.maxRequestHeaderBytes(64 * 1024));
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), pairs.toArray(String[]::new))) {
            assertThat(sub.status()).isEqualTo(400);
            assertThat(sub.readToEnd(Duration.ofSeconds(10))).contains("100");
        }
        assertThat(hub.engine.openStreams()).isZero();
        hub.close();
        // with the server's default cap (8 KiB) the request line alone is refused
        hub = MercureFixture.start(o -> o.anonymous(true));
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), pairs.toArray(String[]::new))) {
            assertThat(sub.status()).isEqualTo(414);
        }
        assertThat(hub.engine.openStreams()).isZero();
    }

    @Test
    void moreSelectorsThanTheHubAllowsIs400() throws Exception {
        hub = MercureFixture.start(SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true).withMaxSelectors(3)),
                o -> o.anonymous(true));
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add("topic");
            pairs.add("https://example.com/" + i);
        }
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), pairs.toArray(String[]::new))) {
            assertThat(sub.status()).isEqualTo(400);
        }
    }

    @Test
    void aSelectorLongerThanTwoKibIs400() throws Exception {
        start(true);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), "topic", "https://example.com/{id}/" + "x".repeat(2100))) {
            assertThat(sub.status()).isEqualTo(400);
        }
    }

    @Test
    void theStreamCarriesUpdatesAndHeartbeatsOnlyEvenOnAnEngineThatSendsRetryAndCloseEvents() throws Exception {
        hub = MercureFixture.start(SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true))
                .retry(Duration.ofSeconds(2)).closeEvent("bye"), o -> o.anonymous(true));
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t", "lastEventID", "urn:unknown")) {
            hub.publishOk("topic", "t", "data", "only this", "id", "urn:1");
            sub.awaitEvents(1, WAIT);
            assertThat(sub.text()).doesNotContain("runnel:").doesNotContain("retry:").doesNotContain("bye");
        }
    }

    @Test
    void theSubscriptionEndsWhenItsTokenExpires() throws Exception {
        start(false);
        Instant expires = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS); // exp is in whole seconds
        String shortLived = token(SUBSCRIBER_KEY, Map.of("subscribe", List.of("*")), expires, null);
        try (RawSseClient sub = hub.subscribe(shortLived, "topic", "t")) {
            assertThat(sub.status()).isEqualTo(200);
            sub.readToEnd(Duration.ofSeconds(10));
            assertThat(sub.ended()).isTrue();
            assertThat(Instant.now()).as("not before the token expired").isAfterOrEqualTo(expires.minusMillis(50)); // the monotonic and wall clocks may differ by a hair
        }
        // the client sees the end as the response completes, a moment before the engine forgets the stream
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (hub.engine.openStreams() != 0) {
            assertThat(System.nanoTime()).as("the stream is gone from the engine").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aTokenAcceptedWithinTheClockSkewKeepsItsStreamOpenUntilTheSkewRunsOut() throws Exception {
        // the verifier accepts the token until exp + skew: the stream must not end at exp, already past
        hub = MercureFixture.start(o -> o.subscriberJwt(dev.runnel.mercure.JwtVerifier.of("HS256", SUBSCRIBER_KEY)
                .withClockSkew(Duration.ofSeconds(60))));
        String lateToken = token(SUBSCRIBER_KEY, Map.of("subscribe", List.of("*")), Instant.now().minusSeconds(5), null);
        try (RawSseClient sub = hub.subscribe(lateToken, "topic", "t")) {
            assertThat(sub.status()).isEqualTo(200);
            hub.publishOk("topic", "t", "data", "still here");
            sub.awaitText("data: still here", WAIT);
            assertThat(sub.ended()).isFalse();
        }
    }

    @Test
    void aTokenGrantingManyPrivateSelectorsSubscribes() throws Exception {
        start(false);
        List<String> granted = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            granted.add("urn:u:" + i + ":{r}");
        }
        String wide = token(SUBSCRIBER_KEY, Map.of("subscribe", granted), null, null);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + wide), "topic", "urn:u:149:inbox")) {
            assertThat(sub.status()).isEqualTo(200);
        }
    }
}
