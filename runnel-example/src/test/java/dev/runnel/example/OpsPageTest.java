package dev.runnel.example;

import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's health endpoints, Prometheus scrape and operations stream, over loopback HTTP, with the
 * in-memory hub: readiness here is the engine accepting streams and the hub answering its probe.
 * With the hub on Redis, readiness follows Redis: {@code DemoOnRedisTest}.
 */
class OpsPageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RunnelServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RunnelServer::stop);
    }

    private RunnelServer serve() {
        RunnelServer server = DemoServer.create(new DemoOptions("127.0.0.1", 0, false)).start();
        servers.add(server);
        return server;
    }

    private static HttpResponse<String> get(RunnelServer server, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aServingDemoIsLiveAndReadyWithTheInMemoryHubAnswering() throws Exception {
        RunnelServer server = serve();
        HttpResponse<String> live = get(server, "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        for (String path : List.of("/health", "/health/ready")) {
            HttpResponse<String> ready = get(server, path);
            assertThat(ready.statusCode()).as(path).isEqualTo(200);
            assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(ready.body()).as(path).startsWith("{\"status\":\"UP\",\"live\":true,\"ready\":true,")
                    .contains("\"hub\":{\"status\":\"UP\",\"detail\":\"InMemoryHub answered in ");
        }
    }

    @Test
    void aStoppingEngineTurnsTheDemoUnreadyButStillLive() throws Exception {
        RunnelServer server = serve();
        server.engine().shutdown(Duration.ZERO); // the engine stops; Jetty still answers, as during a graceful stop

        HttpResponse<String> ready = get(server, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).startsWith("{\"status\":\"DOWN\",\"live\":true,\"ready\":false,")
                .contains("\"engine\":{\"status\":\"DOWN\",\"detail\":\"shutting down: new streams are refused\"}")
                .contains("\"hub\":{\"status\":\"UP\"");
        assertThat(get(server, "/health").statusCode()).isEqualTo(503);
        assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAreServedInPrometheusTextWithRunnelsMeters() throws Exception {
        RunnelServer server = serve();
        try (RawSseClient ticks = RawSseClient.get(server.uri().resolve("/sse/ticks?count=3&interval_ms=0"))) {
            ticks.readToEnd(WAIT);
        }
        await(() -> scrape(server).contains("runnel_streams_ended_total{reason=\"completed\"} 1.0"), "the completed stream counted");

        HttpResponse<String> metrics = get(server, "/metrics");
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body())
                .contains("runnel_events_written_total 3.0")
                .contains("runnel_streams_open{route=\"/sse/ticks\"} 0.0")
                .contains("# HELP runnel_streams_ended_total Streams that ended, by why they ended")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void theOpsStreamSendsItsPanelsByName() throws Exception {
        RunnelServer server = serve();
        try (RawSseClient ops = RawSseClient.get(server.uri().resolve("/sse/ops"))) {
            List<WireEvents.Event> panels = ops.awaitEvents(4, WAIT);
            assertThat(panels).extracting(WireEvents.Event::event).containsExactly("summary", "chart", "streams", "ends");
            assertThat(panels.get(0).data()).contains("id=\"open-streams\">1<");
            assertThat(panels.get(1).data()).contains("<polyline class=\"open\" points=\"");
            assertThat(panels.get(2).data()).contains("<code>/sse/ops</code>");
        }
    }

    @Test
    void theOpsPageRendersWithItsStream() throws Exception {
        RunnelServer server = serve();
        HttpResponse<String> page = get(server, "/ops");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("sse-connect=\"/sse/ops\"").contains("id=\"open-streams\">0<")
                .contains("/webjars/htmx-ext-sse/");
    }

    private static String scrape(RunnelServer server) {
        try {
            return get(server, "/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        dev.runnel.testkit.Await.until(condition, what, WAIT);
    }
}
