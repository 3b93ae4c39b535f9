package dev.runnel.jetty;

import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A final {@code **} takes the rest of a path, seen percent-encoded; an {@code OPTIONS} route answers its own preflights. */
class RestRoutesTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private RunnelServer server;

    @BeforeEach
    void start() {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build()).build();
        server.get("/api/items/**", req -> HttpResponse.text(200,
                "rest of " + req.context().<String>attribute(RequestContext.RAW_PATH).orElseThrow()));
        server.options("/api/items", req -> new HttpResponse(204, null, null, null)
                .withHeader("Access-Control-Allow-Origin", req.context().header("Origin").orElse("none")));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private java.net.http.HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRestRouteTakesThePathItselfAndAnyDepthBelowIt() throws Exception {
        assertThat(get("/api/items").body()).isEqualTo("rest of /api/items\n");
        assertThat(get("/api/items/a/b/c").body()).isEqualTo("rest of /api/items/a/b/c\n");
        assertThat(get("/api/other").statusCode()).isEqualTo(404);
        assertThat(get("/api").statusCode()).isEqualTo(404);
    }

    @Test
    void anEncodedSlashAndPercentReachTheRouteEncoded() throws Exception {
        var response = get("/api/items/https%3A%2F%2Fexample.com%2F%7Bid%7D/urn%3Auuid%3A1%25");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("rest of /api/items/https%3A%2F%2Fexample.com%2F%7Bid%7D/urn%3Auuid%3A1%25\n");
    }

    @Test
    void anOptionsRouteAnswersThePreflightItself() throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/items"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://a.example")
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://a.example");
    }
}
