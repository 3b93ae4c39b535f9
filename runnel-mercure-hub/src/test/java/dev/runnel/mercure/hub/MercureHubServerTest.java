package dev.runnel.mercure.hub;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.client.MercurePublisher;
import dev.runnel.client.MercureUpdate;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.RedisServer;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone hub as its users run it: started from settings (and as a process, from the reference
 * hub's environment variables), published to with {@link MercurePublisher}, subscribed to over HTTP; its
 * page, health and metrics; two hubs on one Redis.
 */
class MercureHubServerTest {

    private static final String KEY = "a-secret-of-at-least-thirty-two-bytes!!";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> open = new ArrayList<>();
    private RedisServer redis;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static String jwt(Map<String, Object> mercure) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().claim("mercure", mercure).build());
        jwt.sign(new MACSigner(KEY.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private MercureHubServer hub(String... flags) {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--publisher-jwt-key", KEY));
        args.addAll(List.of(flags));
        MercureHubServer hub = MercureHubServer.start(HubSettings.from(args, Map.of(), w -> { }));
        open.add(hub);
        return hub;
    }

    private RawSseClient subscribe(MercureHubServer hub, String topic, Map<String, String> headers) throws Exception {
        RawSseClient client = RawSseClient.get(URI.create(hub.uri() + "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)), headers);
        open.add(client);
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    private static MercurePublisher publisher(MercureHubServer hub) throws Exception {
        String token = jwt(Map.of("publish", List.of("*")));
        return MercurePublisher.builder(hub.uri().resolve("/.well-known/mercure")).token(() -> token).build();
    }

    @Test
    void anUpdatePublishedWithTheJavaPublisherReachesAnAnonymousAndAnAuthorizedSubscriber() throws Exception {
        MercureHubServer hub = hub("--anonymous");
        RawSseClient anonymous = subscribe(hub, "https://example.com/books/{id}", Map.of());
        RawSseClient authorized = subscribe(hub, "*", Map.of("Authorization", "Bearer " + jwt(Map.of("subscribe", List.of("*")))));
        dev.runnel.testkit.Await.until(() -> hub.engine().openStreams() == 2, "both subscribed", WAIT);

        String privateId = publisher(hub).publish(MercureUpdate.of("https://example.com/books/1", "secret").asPrivate());
        String publicId = publisher(hub).publish(MercureUpdate.of("https://example.com/books/1", "{\"title\":\"Dune\"}"));

        assertThat(authorized.awaitEvents(2, WAIT)).extracting(WireEvents.Event::id).containsExactly(privateId, publicId);
        assertThat(anonymous.awaitEvents(1, WAIT)).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo(publicId).startsWith("urn:uuid:");
            assertThat(e.data()).isEqualTo("{\"title\":\"Dune\"}");
        });
    }

    @Test
    void withCompressionASubscriberThatAcceptsGzipDecodesEachUpdateAsItIsPublished() throws Exception {
        MercureHubServer hub = hub("--anonymous", "--compression", "gzip");
        HttpResponse<java.io.InputStream> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(hub.uri() + "/.well-known/mercure?topic=news")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        dev.runnel.testkit.DecodedStream stream = dev.runnel.testkit.DecodedStream.read(response.body(), "gzip");
        open.add(stream);
        dev.runnel.testkit.Await.until(() -> hub.engine().openStreams() == 1, "subscribed", WAIT);
        for (int i = 1; i <= 3; i++) {
            String id = publisher(hub).publish(MercureUpdate.of("news", "{\"headline\":\"number " + i + "\"}"));
            stream.awaitText("id: " + id + "\ndata: {\"headline\":\"number " + i + "\"}\n\n", WAIT);
        }
    }

    @Test
    void thePageHealthAndMetricsAnswer() throws Exception {
        MercureHubServer hub = hub();
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(hub.uri().resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(hub.uri().resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(hub.uri().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(page.body()).contains("Runnel Mercure hub").contains("Debug view").contains("/.well-known/mercure")
                .doesNotContain("<script src");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        assertThat(metrics.body()).contains("runnel_");
    }

    @Test
    void twoHubsOnOneRedisShareUpdatesAndResumesByTheirIds() throws Exception {
        redis = RedisServer.start(false);
        MercureHubServer a = hub("--redis", redis.uri().toString(), "--anonymous");
        MercureHubServer b = hub("--redis", redis.uri().toString(), "--anonymous");
        RawSseClient onB = subscribe(b, "https://example.com/news", Map.of());
        dev.runnel.testkit.Await.until(() -> b.engine().openStreams() == 1, "subscribed on b", WAIT);

        String first = publisher(a).publish(MercureUpdate.of("https://example.com/news", "one"));
        String second = publisher(a).publish(MercureUpdate.of("https://example.com/news", "two"));

        assertThat(onB.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("one", "two");
        RawSseClient back = subscribe(b, "https://example.com/news", Map.of("Last-Event-ID", first));
        assertThat(back.header("Last-Event-ID")).isEqualTo(first);
        assertThat(back.awaitEvents(1, WAIT).get(0).id()).isEqualTo(second);
    }

    @Test
    void twoHubsOnOneRedisWithSubscriptionsListEachOthersSubscriptions() throws Exception {
        redis = RedisServer.start(false);
        MercureHubServer a = hub("--redis", redis.uri().toString(), "--subscriptions");
        MercureHubServer b = hub("--redis", redis.uri().toString(), "--subscriptions");
        subscribe(a, "https://example.com/news/{id}", Map.of("Authorization", "Bearer " + jwt(Map.of("subscribe", List.of("*")))));

        HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(b.uri().resolve("/.well-known/mercure/subscriptions"))
                .header("Authorization", "Bearer " + jwt(Map.of("subscribe", List.of("/.well-known/mercure/subscriptions")))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains("\"topic\":\"https://example.com/news/{id}\"").contains("\"active\":true");
    }

    @Test
    void asAProcessTheHubReadsTheReferenceHubsEnvironmentAndRefusesToStartWithoutAKey() throws Exception {
        Process refused = process(Map.of(), "--port", "0");
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isEqualTo(2);
        assertThat(new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("MERCURE_PUBLISHER_JWT_KEY");

        Process started = process(Map.of("MERCURE_PUBLISHER_JWT_KEY", KEY, "MERCURE_EXTRA_DIRECTIVES", "anonymous\ndemo"),
                "--host", "127.0.0.1", "--port", "0");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("Mercure hub on http://127.0.0.1:").contains("anonymous subscribers allowed");
            assertThat(new BufferedReader(new InputStreamReader(started.getErrorStream(), StandardCharsets.UTF_8)).readLine())
                    .contains("directive demo is ignored");
        } finally {
            started.destroy();
            assertThat(started.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
    }

    private static Process process(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MercureHubServer.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("MERCURE_"));
        builder.environment().putAll(env);
        return builder.start();
    }
}
