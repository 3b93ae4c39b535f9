package dev.runnel.example;

import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.RedisServer;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The demo started with {@code --redis}: two nodes sharing topics, and what they answer while Redis is down. */
class DemoOnRedisTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RunnelServer> servers = new ArrayList<>();
    private RedisServer redis;

    @AfterEach
    void stop() {
        servers.forEach(RunnelServer::stop);
        if (redis != null) {
            redis.close();
        }
    }

    private RunnelServer node() {
        RunnelServer server = DemoServer.create(new DemoOptions("127.0.0.1", 0, false).withRedis(redis.uri())).start();
        servers.add(server);
        return server;
    }

    private static HttpResponse<String> get(RunnelServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> publish(RunnelServer server, String topic, String data) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve("/publish/" + topic)).timeout(WAIT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("data=" + data)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        dev.runnel.testkit.Await.until(condition, what, WAIT);
    }

    @Test
    void aPublishOnOneNodeReachesASubscriberOnTheOtherAndTheAnswerCountsThisNodesSubscribers() throws Exception {
        redis = RedisServer.start(false);
        RunnelServer one = node();
        RunnelServer two = node();
        try (RawSseClient client = RawSseClient.get(URI.create(two.uri() + "/sse/topic/news"))) {
            await(() -> two.engine().hub().subscribers("news") == 1, "subscribed on node two");

            HttpResponse<String> answer = publish(one, "news", "hello");

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).matches("\\{\"id\":\"[0-9]+-1\",\"subscribers\":0}");
            WireEvents.Event event = client.awaitEvents(1, WAIT).get(0);
            assertThat(event.data()).isEqualTo("hello");
            assertThat(answer.body()).contains("\"id\":\"" + event.id() + "\"");
        }
    }

    @Test
    void whileRedisIsDownPublishingAnswers503AndTheNodeIsUnreadyButLive() throws Exception {
        redis = RedisServer.start(false);
        RunnelServer node = node();
        assertThat(get(node, "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(node, "/health/ready").body()).contains("\"hub\":{\"status\":\"UP\",\"detail\":\"hub on Redis at 127.0.0.1:" + redis.port() + " answered in ");

        redis.kill();

        HttpResponse<String> refused = publish(node, "news", "lost");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body()).startsWith("cannot publish to topic news: Redis at 127.0.0.1:" + redis.port() + " is not reachable")
                .endsWith("nothing was published\n").hasLineCount(1);
        await(() -> status(node, "/health/ready") == 503, "unready");
        assertThat(get(node, "/health/ready").body()).contains("\"hub\":{\"status\":\"DOWN\",\"detail\":\"hub on Redis at 127.0.0.1:"
                + redis.port() + " is not ready: its log cannot be read\"}");
        assertThat(get(node, "/health/live").statusCode()).isEqualTo(200);

        redis.start();

        await(() -> status(node, "/health/ready") == 200, "ready again");
        assertThat(publish(node, "news", "back").statusCode()).isEqualTo(200);
    }

    @Test
    void theRedisOptionTakesARedisUri() {
        assertThat(DemoOptions.parse("--redis", "redis://127.0.0.1:6379").redis()).isEqualTo(URI.create("redis://127.0.0.1:6379"));
        assertThat(DemoOptions.parse().redis()).isNull();
        assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--redis", "127.0.0.1:6379"))
                .withMessageStartingWith("--redis must be a URI like redis://127.0.0.1:6379, got '127.0.0.1:6379'");
        assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--redis"))
                .withMessageStartingWith("--redis needs a value");
    }

    private static int status(RunnelServer server, String path) {
        try {
            return get(server, path).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
