package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams run on virtual threads; short requests on Jetty's platform pool, so that a publish is not
 * queued behind the stream writers a large fan-out has just woken.
 */
class ThreadingTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private RunnelServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aStreamRunsOnAVirtualThreadAndAShortRequestOnAPlatformThread() throws Exception {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build()).build();
        server.sse("/stream", req -> EventStream.of("virtual " + Thread.currentThread().isVirtual()));
        server.get("/page", req -> HttpResponse.text(200, "virtual " + Thread.currentThread().isVirtual()));
        server.post("/publish", req -> HttpResponse.text(200, "virtual " + Thread.currentThread().isVirtual()));
        server.start();
        assertThat(get("/stream")).isEqualTo("data: virtual true\n\n");
        assertThat(get("/page")).isEqualTo("virtual false\n");
        var post = http.send(HttpRequest.newBuilder(server.uri().resolve("/publish")).POST(HttpRequest.BodyPublishers.ofString("x"))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(post.body()).isEqualTo("virtual false\n");
    }
}
