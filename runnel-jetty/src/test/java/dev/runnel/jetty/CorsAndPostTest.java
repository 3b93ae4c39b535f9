package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Streams opened with fetch: POST with a body, and the CORS preflight for an allowed origin. */
class CorsAndPostTest {

    private static final String ORIGIN = "https://app.example";
    private final HttpClient http = HttpClient.newHttpClient();
    private RunnelServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private RunnelServer start(String corsOrigin) {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build()).corsOrigin(corsOrigin).build();
        server.ssePost("/stream", req -> EventStream.of("method " + req.method(), "body " + req.body()).allowOrigin(ORIGIN));
        server.start();
        return server;
    }

    private java.net.http.HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStreamRouteThatOptsInAcceptsPostAndSeesTheBody() throws Exception {
        start(ORIGIN);
        var response = send(HttpRequest.newBuilder(server.uri().resolve("/stream"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"count\":1}")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("data: method POST\n\ndata: body {\"count\":1}\n\n");
        assertThat(send(HttpRequest.newBuilder(server.uri().resolve("/stream"))).body()).isEqualTo("data: method GET\n\ndata: body \n\n");
    }

    @Test
    void thePreflightFromTheAllowedOriginIsAnswered() throws Exception {
        start(ORIGIN);
        var response = send(HttpRequest.newBuilder(server.uri().resolve("/stream"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, datastar-request"));
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type, datastar-request");
        assertThat(response.headers().firstValue("Vary")).hasValue("Origin");
        var stream = send(HttpRequest.newBuilder(server.uri().resolve("/stream")).header("Origin", ORIGIN));
        assertThat(stream.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    }

    @Test
    void aPreflightFromAnotherOriginOrWithoutConfigurationIsRefused() throws Exception {
        start(ORIGIN);
        var other = send(HttpRequest.newBuilder(server.uri().resolve("/stream"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example"));
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.headers().map()).doesNotContainKey("access-control-allow-origin");
        server.stop();
        start(null);
        var unconfigured = send(HttpRequest.newBuilder(server.uri().resolve("/stream"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ORIGIN));
        assertThat(unconfigured.statusCode()).isEqualTo(403);
        assertThat(unconfigured.body()).contains("no CORS origin is configured");
    }

    @Test
    void aMalformedCorsOriginIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> RunnelServer.builder().corsOrigin("*")).hasMessageContaining("scheme://host");
        assertThatThrownBy(() -> RunnelServer.builder().corsOrigin("https://a.example/path")).hasMessageContaining("scheme://host");
    }
}
