package dev.runnel.mercure.servlet;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.servlet.ServletSse;
import dev.runnel.testkit.RawSseClient;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MercureServlet} in an embedded container, under a context path, over real HTTP: the servlet
 * only translates, so these check that each kind of request reaches the hub and its answer comes
 * back whole. Each container's test class starts it.
 */
abstract class MercureServletContract {

    /** A running container: its port, and how to stop it. */
    record Running(int port, AutoCloseable stop) {
    }

    /**
     * Starts the container on a free loopback port with each servlet, async-supported, at
     * {@link MercureServlet#MAPPINGS} of an application at its context path. One subscription's URL
     * holds {@code %2F}: the container must let it through, still encoded.
     */
    abstract Running start(Map<String, MercureServlet> byContextPath) throws Exception;

    private static final String PUBLISHER_KEY = "servlet-publisher-key-32-bytes-long!!!!";
    private static final String SUBSCRIBER_KEY = "servlet-subscriber-key-32-bytes-long!!!";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String APP = "/app";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SseEngine engine;
    private ServletSse sse;
    private Running container;
    private int port;

    @BeforeEach
    void startContainer() throws Exception {
        engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).build();
        MercureHub hub = MercureHub.of(engine.hub(), MercureOptions.builder()
                .publisherJwt(JwtVerifier.of("HS256", PUBLISHER_KEY))
                .subscriberJwt(JwtVerifier.of("HS256", SUBSCRIBER_KEY))
                .anonymous(false)
                .subscriptions(true)
                .corsOrigins(List.of("https://app.example"))
                .build());
        sse = ServletSse.of(engine);
        Map<String, MercureServlet> servlets = new LinkedHashMap<>();
        servlets.put(APP, MercureServlet.builder(sse, hub).maxBodyBytes(4096).build());
        servlets.put("/failing-stream", MercureServlet.builder(sse, hub)
                .streams((request, subscribe) -> ignored -> {
                    throw new IllegalStateException("the wrapped handler failed");
                }).build());
        servlets.put("/failing-wrapper", MercureServlet.builder(sse, hub)
                .streams((request, subscribe) -> {
                    throw new IllegalStateException("the wrapper failed on the container thread");
                }).build());
        container = start(servlets);
        port = container.port();
    }

    @AfterEach
    void stop() throws Exception {
        engine.shutdown(Duration.ZERO);
        sse.close();
        container.stop().close();
    }

    @Test
    void aPublishedUpdateReachesASubscriberWithItsIdAndFields() throws Exception {
        try (RawSseClient sub = subscribe(Map.of("Authorization", "Bearer " + subscriber()), "https://example.com/books/é")) {
            assertThat(sub.header("Content-Type")).startsWith("text/event-stream");
            HttpResponse<String> published = publish(publisher("*"),
                    "topic", "https://example.com/books/é", "data", "Ça marche\nline 2", "type", "book", "id", "urn:b:1");

            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(published.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(published.body()).isEqualTo("urn:b:1");
            WireEvents.Event event = sub.awaitEvents(1, WAIT).getFirst();
            assertThat(event.id()).isEqualTo("urn:b:1");
            assertThat(event.data()).isEqualTo("Ça marche\nline 2");
            assertThat(sub.text()).contains("event: book\n");
        }
    }

    @Test
    void aPrivateUpdateReachesOnlyTheSubscriberAuthorizedForIt() throws Exception {
        try (RawSseClient authorized = subscribe(Map.of("Authorization", "Bearer " + subscriber("https://example.com/secret")),
                "https://example.com/secret");
             RawSseClient other = subscribe(Map.of("Authorization", "Bearer " + subscriber("https://example.com/other")),
                     "https://example.com/secret")) {
            assertThat(publish(publisher("*"), "topic", "https://example.com/secret", "data", "hidden", "private", "", "id", "urn:p:1")
                    .statusCode()).isEqualTo(200);
            assertThat(publish(publisher("*"), "topic", "https://example.com/secret", "data", "public", "id", "urn:p:2")
                    .statusCode()).isEqualTo(200);

            assertThat(authorized.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("hidden", "public");
            assertThat(other.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("public");
            assertThat(other.text()).doesNotContain("hidden");
        }
    }

    @Test
    void aPublishWithoutATokenIs401AndOneNotCoveringTheTopicIs403() throws Exception {
        HttpResponse<String> anonymous = publish(null, "topic", "t", "data", "x");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

        assertThat(publish(publisher("https://example.com/mine"), "topic", "https://example.com/yours", "data", "x").statusCode())
                .isEqualTo(403);
        assertThat(publish(publisher("*"), "data", "no topic").statusCode()).isEqualTo(400);
    }

    @Test
    void aSubscriberWithoutATokenIs401WhenAnonymousSubscribersAreNotServed() throws Exception {
        try (RawSseClient sub = RawSseClient.get(hub("topic", "t"), Map.of())) {
            assertThat(sub.status()).isEqualTo(401);
            assertThat(sub.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        try (RawSseClient sub = RawSseClient.get(hub(), Map.of("Authorization", "Bearer " + subscriber()))) {
            assertThat(sub.status()).as("no topic").isEqualTo(400);
        }
    }

    @Test
    void aSubscriberResumesAfterItsLastEventIdHeaderAndTheHubEchoesIt() throws Exception {
        String first = publishOk("topic", "t", "data", "one", "id", "urn:r:1");
        publishOk("topic", "t", "data", "two", "id", "urn:r:2");

        try (RawSseClient sub = RawSseClient.get(hub("topic", "t"),
                Map.of("Authorization", "Bearer " + subscriber(), "Last-Event-ID", first))) {
            assertThat(sub.status()).isEqualTo(200);
            assertThat(sub.header("Last-Event-ID")).isEqualTo("urn:r:1");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("two");
        }
        try (RawSseClient sub = RawSseClient.get(hub("topic", "t"),
                Map.of("Authorization", "Bearer " + subscriber(), "Last-Event-ID", "urn:unknown"))) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo(MercureHub.EARLIEST);
        }
    }

    @Test
    void theActiveSubscriptionsApiAnswersUnderTheHubsPath() throws Exception {
        try (RawSseClient sub = subscribe(Map.of("Authorization", "Bearer " + subscriber()), "https://example.com/listed")) {
            HttpResponse<String> collection = get(APP + MercureHub.PATH + "/subscriptions",
                    Map.of("Authorization", "Bearer " + subscriber("/.well-known/mercure/subscriptions{/topic}{/subscriber}")));
            assertThat(collection.statusCode()).isEqualTo(200);
            assertThat(collection.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/ld+json"));
            assertThat(collection.body()).contains("\"type\":\"Subscriptions\"").contains("https://example.com/listed")
                    .contains("\"id\":\"/.well-known/mercure/subscriptions\"");

            assertThat(get(APP + MercureHub.PATH + "/subscriptions", Map.of("Authorization", "Bearer " + subscriber("other")))
                    .statusCode()).isEqualTo(401);
        }
    }

    @Test
    void oneSubscriptionIsFoundByItsPercentEncodedTopicAndSubscriber() throws Exception {
        String topic = "https://example.com/one/sub";
        try (RawSseClient sub = subscribe(Map.of("Authorization", "Bearer " + subscriber()), topic)) {
            String reader = "Bearer " + subscriber("/.well-known/mercure/subscriptions{/topic}{/subscriber}");
            String perTopic = MercureHub.PATH + "/subscriptions/" + encode(topic);
            HttpResponse<String> collection = get(APP + perTopic, Map.of("Authorization", reader));
            assertThat(collection.statusCode()).as(collection.body()).isEqualTo(200);
            java.util.regex.Matcher subscriber = java.util.regex.Pattern.compile("\"subscriber\":\"(urn:uuid:[0-9a-f-]+)\"")
                    .matcher(collection.body());
            assertThat(subscriber.find()).as(collection.body()).isTrue();

            String one = perTopic + "/" + encode(subscriber.group(1));
            HttpResponse<String> found = get(APP + one, Map.of("Authorization", reader));
            assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
            assertThat(found.body()).contains("\"id\":\"" + one + "\"").contains("\"active\":true");
            assertThat(get(APP + perTopic + "/" + encode("urn:uuid:00000000-0000-4000-8000-000000000000"),
                    Map.of("Authorization", reader)).statusCode()).isEqualTo(404);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void aPreflightFromASubscribersOriginIsAnsweredAndOthersAre403() throws Exception {
        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(hub()).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "GET").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET");

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(hub()).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
    }

    @Test
    void aPublishBodyOverTheLimitIs413AndNothingIsPublished() throws Exception {
        try (RawSseClient sub = subscribe(Map.of("Authorization", "Bearer " + subscriber()), "t")) {
            HttpResponse<String> large = publish(publisher("*"), "topic", "t", "data", "x".repeat(5000));
            assertThat(large.statusCode()).isEqualTo(413);

            publishOk("topic", "t", "data", "small", "id", "urn:small");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("small");
        }
    }

    @Test
    void aChunkedPublishBodyOverTheLimitIs413() throws Exception {
        byte[] body = ("topic=t&data=" + "y".repeat(5000)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub())
                .header("Authorization", "Bearer " + publisher("*"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                // a stream of unknown length is sent chunked, with no Content-Length to refuse it by
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void aSubscribeWrapperThatFailsAnswers500AndLeavesTheHubServingOthers() throws Exception {
        for (String broken : List.of("/failing-stream", "/failing-wrapper")) {
            URI uri = URI.create("http://127.0.0.1:" + port + broken + MercureHub.PATH + "?topic=t");
            try (RawSseClient sub = RawSseClient.get(uri, Map.of("Authorization", "Bearer " + subscriber()))) {
                assertThat(sub.status()).as(broken).isEqualTo(500);
                assertThat(sub.text()).as(broken).doesNotContain("failed");
            }
        }
        assertThat(engine.hub().subscribers("t")).isZero();
        try (RawSseClient sub = subscribe(Map.of("Authorization", "Bearer " + subscriber()), "t")) {
            publishOk("topic", "t", "data", "still served", "id", "urn:after-failure");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("still served");
        }
    }

    @Test
    void otherMethodsAre405AndOtherPathsUnderTheHubAre404() throws Exception {
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(hub()).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST, OPTIONS");
        assertThat(get(APP + MercureHub.PATH + "/elsewhere", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void aMalformedQueryIs400ForAStreamAndForAnAnswer() throws Exception {
        // java.net.URI refuses "%zz", so these go over a socket as they are
        assertThat(rawStatus("GET " + APP + MercureHub.PATH + "?topic=%zz")).isEqualTo(400);
        assertThat(rawStatus("GET " + APP + MercureHub.PATH + "/subscriptions?x=%zz")).isEqualTo(400);
        assertThat(rawStatus("POST " + APP + MercureHub.PATH + "?x=%zz")).isEqualTo(400);
    }

    /** The status of one request sent as raw bytes ({@code method path}), with a subscriber's token. */
    private int rawStatus(String requestLine) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            String request = requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + subscriber()
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    // ---- helpers

    private String base() {
        return "http://127.0.0.1:" + port + APP;
    }

    private URI hub(String... pairs) {
        return URI.create(base() + MercureHub.PATH + (pairs.length == 0 ? "" : "?" + form(pairs)));
    }

    private static String form(String... pairs) {
        StringJoiner joined = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2) {
            joined.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return joined.toString();
    }

    /** Opens a subscription to {@code topic} and returns once the hub counts it. */
    private RawSseClient subscribe(Map<String, String> headers, String topic) throws Exception {
        RawSseClient client = RawSseClient.get(hub("topic", topic), headers);
        assertThat(client.status()).as("subscription status").isEqualTo(200);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.hub().subscribers(topic) == 0) {
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

    private String publishOk(String... pairs) throws Exception {
        HttpResponse<String> response = publish(publisher("*"), pairs);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT);
        headers.forEach(request::header);
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
