package dev.runnel.spring.boot.secured;

import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.test.LiveStream;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code runnel.hub.redis-uri} puts the hub on Redis (Debian's redis-server, on a free port), and
 * readiness follows Redis: down while it is, up again when it is back.
 */
@RunnelTest(classes = SecuredApp.class, properties = {
        "server.address=127.0.0.1",
        "management.endpoints.web.exposure.include=health,info",
        "management.endpoint.health.show-details=always",
        "management.endpoint.health.show-components=always"})
class RedisReadinessTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start(true);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @DynamicPropertySource
    static void redisUri(DynamicPropertyRegistry registry) {
        registry.add("runnel.hub.redis-uri", () -> redis.uri().toString());
    }

    @Autowired
    RunnelTestClient runnel;
    @Autowired
    Hub hub;

    private int status(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(runnel.uri(path)).timeout(WAIT)
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("root:root-pw".getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private String body(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(runnel.uri(path)).timeout(WAIT)
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("root:root-pw".getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString()).body().replace(" ", "");
        }
    }

    @Test
    void theHubRunsOnRedisAndReadinessFollowsIt() throws Exception {
        assertThat(body("/actuator/info")).contains("\"hub\":\"redis\"");
        assertThat(status("/actuator/health/readiness")).isEqualTo(200);
        try (LiveStream feed = runnel.connect("/sse/activity")) {
            Await.until(() -> hub.subscribers("activity") == 1, "the subscription", WAIT);
            hub.publish("activity", "through Redis");
            assertThat(feed.next().data()).isEqualTo("through Redis");
        }

        redis.kill();
        Await.until(() -> statusQuietly("/actuator/health/readiness") == 503, "readiness down while Redis is", WAIT);
        assertThat(body("/actuator/health")).contains("\"runnel\":{\"details\":{\"hub\":\"redis\",\"openStreams\":0},\"status\":\"DOWN\"}");

        redis.start();
        Await.until(() -> statusQuietly("/actuator/health/readiness") == 200, "readiness back with Redis", WAIT);
    }

    private int statusQuietly(String path) {
        try {
            return status(path);
        } catch (Exception e) {
            return -1;
        }
    }
}
