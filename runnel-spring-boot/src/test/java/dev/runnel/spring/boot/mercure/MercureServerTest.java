package dev.runnel.spring.boot.mercure;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.hub.Hub;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/** A Spring Boot application on Tomcat serving the Mercure hub from {@code runnel.mercure.*} alone, over real HTTP. */
@SpringBootTest(classes = MercureApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1", "runnel.fragments=thymeleaf",
        "runnel.mercure.publisher-jwt-key=" + MercureServerTest.PUBLISHER_KEY,
        "runnel.mercure.subscriber-jwt-key=" + MercureServerTest.SUBSCRIBER_KEY,
        "runnel.mercure.subscriptions=true"})
class MercureServerTest {

    static final String PUBLISHER_KEY = "boot-publisher-key-32-bytes-long!!!!!!!";
    static final String SUBSCRIBER_KEY = "boot-subscriber-key-32-bytes-long!!!!!!";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Value("${local.server.port}")
    int port;

    @Autowired
    Hub hub;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aPublishReachesAnAuthorizedSubscriberWithItsPrivateUpdate() throws Exception {
        String topic = "https://example.com/books/ü/" + System.nanoTime();
        try (RawSseClient sub = subscribe(subscriber(topic), topic)) {
            assertThat(sub.header("Content-Type")).startsWith("text/event-stream");
            HttpResponse<String> published = publish(publisher("*"), "topic", topic, "data", "secret ☃", "private", "on", "id", "urn:boot:1");

            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
            assertThat(published.body()).isEqualTo("urn:boot:1");
            WireEvents.Event event = sub.awaitEvents(1, WAIT).getFirst();
            assertThat(event.id()).isEqualTo("urn:boot:1");
            assertThat(event.data()).isEqualTo("secret ☃");
        }
    }

    @Test
    void theHubsTokensAreItsOnlyGuard() throws Exception {
        try (RawSseClient anonymous = RawSseClient.get(hub("topic", "t"), Map.of())) {
            assertThat(anonymous.status()).as("anonymous subscribers are off by default").isEqualTo(401);
            assertThat(anonymous.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        assertThat(publish(null, "topic", "t", "data", "x").statusCode()).isEqualTo(401);
        assertThat(publish(subscriber("*"), "topic", "t", "data", "x").statusCode()).as("a subscriber's key").isEqualTo(401);
        assertThat(publish(publisher("https://example.com/mine"), "topic", "https://example.com/yours").statusCode()).isEqualTo(403);
    }

    @Test
    void theActiveSubscriptionsApiIsServedUnderTheHub() throws Exception {
        String topic = "https://example.com/listed/" + System.nanoTime();
        try (RawSseClient sub = subscribe(subscriber(), topic)) {
            HttpResponse<String> collection = http.send(HttpRequest.newBuilder(URI.create(base() + "/.well-known/mercure/subscriptions"))
                    .header("Authorization", "Bearer " + subscriber("/.well-known/mercure/subscriptions{/topic}{/subscriber}"))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(collection.statusCode()).isEqualTo(200);
            assertThat(collection.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/ld+json"));
            assertThat(collection.body()).contains(topic);
        }
    }

    @Test
    void oneSubscriptionIsFoundByItsPercentEncodedTopicAndSubscriber() throws Exception {
        String topic = "https://example.com/one/" + System.nanoTime() + "/100%";
        try (RawSseClient sub = subscribe(subscriber(), topic)) {
            String reader = "Bearer " + subscriber("/.well-known/mercure/subscriptions{/topic}{/subscriber}");
            String perTopic = "/.well-known/mercure/subscriptions/" + encode(topic);
            HttpResponse<String> collection = get(perTopic, reader);
            assertThat(collection.statusCode()).as(collection.body()).isEqualTo(200);
            java.util.regex.Matcher subscriber = java.util.regex.Pattern.compile("\"subscriber\":\"(urn:uuid:[0-9a-f-]+)\"")
                    .matcher(collection.body());
            assertThat(subscriber.find()).as(collection.body()).isTrue();

            String one = perTopic + "/" + encode(subscriber.group(1));
            HttpResponse<String> found = get(one, reader);
            assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
            assertThat(found.body()).contains("\"id\":\"" + one + "\"").contains("\"active\":true");
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", authorization).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void theRestOfTheApplicationStaysBehindItsOwnSecurity() throws Exception {
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(base() + "/anything")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(401);
    }

    // ---- helpers

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private URI hub(String... pairs) {
        return URI.create(base() + "/.well-known/mercure" + (pairs.length == 0 ? "" : "?" + form(pairs)));
    }

    private static String form(String... pairs) {
        StringJoiner joined = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2) {
            joined.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return joined.toString();
    }

    /** Opens a subscription to {@code topic} and returns once the hub counts it. */
    private RawSseClient subscribe(String token, String topic) throws Exception {
        RawSseClient client = RawSseClient.get(hub("topic", topic), Map.of("Authorization", "Bearer " + token));
        assertThat(client.status()).as("subscription status").isEqualTo(200);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (hub.subscribers(topic) == 0) {
            if (System.nanoTime() > deadline) {
                client.close();
                throw new AssertionError("the subscription never reached the hub");
            }
            Thread.sleep(2);
        }
        return client;
    }

    private HttpResponse<String> publish(String token, String... pairs) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub()).timeout(WAIT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(pairs)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String publisher(String... selectors) {
        return token(PUBLISHER_KEY, Map.of("publish", List.of(selectors)));
    }

    private static String subscriber(String... selectors) {
        return token(SUBSCRIBER_KEY, Map.of("subscribe", List.of(selectors)));
    }

    private static String token(String key, Map<String, Object> mercure) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().claim("mercure", mercure).build());
            jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
