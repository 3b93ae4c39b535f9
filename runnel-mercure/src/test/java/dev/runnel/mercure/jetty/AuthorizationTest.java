package dev.runnel.mercure.jetty;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.runnel.mercure.jetty.MercureFixture.PUBLISHER_KEY;
import static dev.runnel.mercure.jetty.MercureFixture.SUBSCRIBER_KEY;
import static dev.runnel.mercure.jetty.MercureFixture.publisher;
import static dev.runnel.mercure.jetty.MercureFixture.subscriber;
import static dev.runnel.mercure.jetty.MercureFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The draft's "Authorization" section, and attacks on it, over HTTP. */
class AuthorizationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ORIGIN = "https://app.example.com";
    private MercureFixture hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    private MercureFixture start() {
        hub = MercureFixture.start(o -> o.publishOrigins(List.of(ORIGIN)));
        return hub;
    }

    private static String unsigned(String payloadJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    // ---- publishers

    @Test
    void aPublishWithoutATokenIs401WithABearerChallenge() throws Exception {
        HttpResponse<String> response = start().publish(null, "topic", "t", "data", "x");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void aTokenWithoutMercurePublishOrWithAnEmptyOneIs403() throws Exception {
        start();
        assertThat(hub.publish(token(PUBLISHER_KEY, null, null, null), "topic", "t").statusCode()).isEqualTo(403);
        assertThat(hub.publish(token(PUBLISHER_KEY, Map.of("subscribe", List.of("*")), null, null), "topic", "t").statusCode()).isEqualTo(403);
        assertThat(hub.publish(publisher(), "topic", "t").statusCode()).isEqualTo(403);
    }

    @Test
    void anUpdateWithOneTopicTheTokenDoesNotCoverIs403AndNotDispatchedAtAll() throws Exception {
        start();
        try (RawSseClient sub = hub.subscribe(subscriber("*"), "topic", "*")) {
            HttpResponse<String> refused = hub.publish(publisher("https://example.com/books/{id}"),
                    "topic", "https://example.com/books/1", "topic", "https://example.com/users/1", "data", "leak", "id", "urn:leak");
            assertThat(refused.statusCode()).isEqualTo(403);

            HttpResponse<String> allowed = hub.publish(publisher("https://example.com/books/{id}", "https://example.com/users/1"),
                    "topic", "https://example.com/books/1", "topic", "https://example.com/users/1", "data", "ok", "id", "urn:ok");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("ok");
            assertThat(sub.text()).doesNotContain("leak");
        }
    }

    @Test
    void publishSelectorsMatchByStarExactTopicAndTemplate() throws Exception {
        start();
        assertThat(hub.publish(publisher("*"), "topic", "anything").statusCode()).isEqualTo(200);
        assertThat(hub.publish(publisher("https://example.com/a"), "topic", "https://example.com/a").statusCode()).isEqualTo(200);
        assertThat(hub.publish(publisher("https://example.com/a"), "topic", "https://example.com/b").statusCode()).isEqualTo(403);
        assertThat(hub.publish(publisher("https://example.com/books/{id}"), "topic", "https://example.com/books/42").statusCode()).isEqualTo(200);
        assertThat(hub.publish(publisher("https://example.com/books/{id}"), "topic", "https://example.com/books/4/2").statusCode()).isEqualTo(403);
        // a template matches itself literally
        assertThat(hub.publish(publisher("https://example.com/books/{id}"), "topic", "https://example.com/books/{id}").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenSignedWithTheWrongKeyIs401() throws Exception {
        start();
        assertThat(hub.publish(token(SUBSCRIBER_KEY, Map.of("publish", List.of("*")), null, null), "topic", "t").statusCode()).isEqualTo(401);
        assertThat(hub.publish(token("another-key-of-at-least-thirty-two-bytes", Map.of("publish", List.of("*")), null, null),
                "topic", "t").statusCode()).isEqualTo(401);
    }

    @Test
    void anUnsignedTokenIs401() throws Exception {
        start();
        assertThat(hub.publish(unsigned("{\"mercure\":{\"publish\":[\"*\"]}}"), "topic", "t").statusCode()).isEqualTo(401);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + unsigned("{\"mercure\":{\"subscribe\":[\"*\"]}}")),
                "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
        }
    }

    @Test
    void anExpiredOrNotYetValidTokenIs401() throws Exception {
        start();
        Map<String, Object> all = Map.of("publish", List.of("*"), "subscribe", List.of("*"));
        String expired = token(PUBLISHER_KEY, all, Instant.now().minusSeconds(60), null);
        String notYet = token(PUBLISHER_KEY, all, null, Instant.now().plusSeconds(3600));
        assertThat(hub.publish(expired, "topic", "t").statusCode()).isEqualTo(401);
        assertThat(hub.publish(notYet, "topic", "t").statusCode()).isEqualTo(401);
        String expiredSubscriber = token(SUBSCRIBER_KEY, all, Instant.now().minusSeconds(60), null);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + expiredSubscriber), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
            assertThat(sub.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
    }

    @Test
    void anHmacTokenSignedWithTheRsaPublicKeyIsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.UTF_8)).encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        hub = MercureFixture.start(o -> o.publisherJwt(JwtVerifier.of("RS256", pem)));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("mercure", Map.of("publish", List.of("*"))).build();

        SignedJWT confused = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        confused.sign(new MACSigner(pem.getBytes(StandardCharsets.UTF_8)));
        assertThat(hub.publish(confused.serialize(), "topic", "t").statusCode()).isEqualTo(401);

        SignedJWT genuine = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        genuine.sign(new RSASSASigner(rsa.getPrivate()));
        assertThat(hub.publish(genuine.serialize(), "topic", "t").statusCode()).isEqualTo(200);
    }

    @Test
    void publishersAndSubscribersHaveTheirOwnKeys() throws Exception {
        start();
        String subscriberKeyToken = token(SUBSCRIBER_KEY, Map.of("publish", List.of("*"), "subscribe", List.of("*")), null, null);
        assertThat(hub.publish(subscriberKeyToken, "topic", "t").statusCode()).as("a subscriber's key cannot publish").isEqualTo(401);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + publisher("*")), "topic", "t")) {
            assertThat(sub.status()).as("a publisher's key does not subscribe").isEqualTo(401);
        }
    }

    // ---- where the token comes from

    @Test
    void theAuthorizationHeaderWinsOverTheQueryParameterAndTheCookie() throws Exception {
        start();
        try (RawSseClient sub = hub.subscribe(Map.of("Authorization", "Bearer " + subscriber("*"),
                "Cookie", "mercureAuthorization=garbage"), "topic", "t", "authorization", "garbage")) {
            assertThat(sub.status()).isEqualTo(200);
        }
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer garbage",
                "Cookie", "mercureAuthorization=" + subscriber("*")), "topic", "t")) {
            assertThat(sub.status()).as("a bad header is not skipped for a good cookie").isEqualTo(401);
        }
    }

    @Test
    void theQueryParameterWinsOverTheCookie() throws Exception {
        start();
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Cookie", "mercureAuthorization=" + subscriber("*")),
                "topic", "t", "authorization", "garbage")) {
            assertThat(sub.status()).isEqualTo(401);
        }
        try (RawSseClient sub = hub.subscribe(Map.of("Cookie", "mercureAuthorization=garbage"),
                "topic", "t", "authorization", subscriber("*"))) {
            assertThat(sub.status()).isEqualTo(200);
        }
    }

    @Test
    void aCookieNamedAsConfiguredIsRead() throws Exception {
        hub = MercureFixture.start(o -> o.cookieName("hubToken"));
        try (RawSseClient sub = hub.subscribe(Map.of("Cookie", "other=1; hubToken=" + subscriber("*")), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(200);
        }
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Cookie", "mercureAuthorization=" + subscriber("*")), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
        }
    }

    // ---- CSRF: publishing with the cookie

    @Test
    void aPublishAuthorizedByTheCookieNeedsAnAllowedOriginOrReferer() throws Exception {
        start();
        String cookie = "mercureAuthorization=" + publisher("*");
        String body = MercureFixture.form("topic", "t", "data", "x");
        assertThat(hub.post(Map.of("Cookie", cookie), body).statusCode()).as("no Origin, no Referer").isEqualTo(401);
        assertThat(hub.post(Map.of("Cookie", cookie, "Origin", "https://evil.example"), body).statusCode()).isEqualTo(401);
        assertThat(hub.post(Map.of("Cookie", cookie, "Origin", "null"), body).statusCode()).isEqualTo(401);
        assertThat(hub.post(Map.of("Cookie", cookie, "Referer", "https://evil.example/app.example.com"), body).statusCode()).isEqualTo(401);
        assertThat(hub.post(Map.of("Cookie", cookie, "Origin", ORIGIN), body).statusCode()).isEqualTo(200);
        assertThat(hub.post(Map.of("Cookie", cookie, "Referer", ORIGIN + "/page?x=1"), body).statusCode()).isEqualTo(200);
    }

    @Test
    void aPublishWithTheHeaderNeedsNoOrigin() throws Exception {
        start();
        assertThat(hub.publish(publisher("*"), "topic", "t").statusCode()).isEqualTo(200);
    }

    // ---- oversized tokens

    @Test
    void aHugeTokenInTheHeadersIs431AndNeverAStream() throws Exception {
        start();
        String huge = "a".repeat(64 * 1024);
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + huge), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(431);
        }
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Cookie", "mercureAuthorization=" + huge), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(431);
        }
    }

    @Test
    void aHugeTokenInTheUrlIs414AndNeverAStream() throws Exception {
        start();
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), "topic", "t", "authorization", "a".repeat(64 * 1024))) {
            assertThat(sub.status()).isEqualTo(414);
        }
    }

    @Test
    void aTokenJustUnderTheHeaderLimitButOverTheVerifiersIs401() throws Exception {
        start();
        // 7 KiB: within Jetty's 8 KiB of headers, still refused by the verifier as malformed, never 500
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + "a".repeat(7 * 1024)), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
        }
    }

    @Test
    void theHubsOwnAccessRuleStillDecidesAndRefuses403() throws Exception {
        hub = MercureFixture.start(dev.runnel.SseEngine.builder().hub(dev.runnel.hub.HubOptions.DEFAULTS.withPublisherIds(true)
                .withAccess(new dev.runnel.hub.TopicAccess() {
                    @Override
                    public boolean maySubscribe(dev.runnel.RequestContext request, String topic) {
                        return true;
                    }

                    @Override
                    public boolean mayPublish(dev.runnel.RequestContext request, String topic) {
                        return !topic.contains("admin");
                    }
                })), o -> o);
        assertThat(hub.publish(publisher("*"), "topic", "https://example.com/admin/1").statusCode()).isEqualTo(403);
        assertThat(hub.publish(publisher("*"), "topic", "https://example.com/books/1").statusCode()).isEqualTo(200);
    }
}
