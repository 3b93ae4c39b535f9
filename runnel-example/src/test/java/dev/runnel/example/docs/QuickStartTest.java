package dev.runnel.example.docs;

import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's quick start, {@link QuickStart}, served on a free port and asked over real HTTP. */
class QuickStartTest {

    private static RunnelServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        server = QuickStart.countdown(0).start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        http.close();
        server.stop();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(pathAndQuery))
                        .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void countdownCountsDownFromTheQueryNumberThenLiftsOff() throws Exception {
        HttpResponse<String> response = get("/countdown?from=2");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.body()).isEqualTo("id: 2\ndata: T-2\n\nid: 1\ndata: T-1\n\ndata: liftoff\n\n");
    }

    @Test
    void aFromOutsideItsRangeIsAnswered400AsTheCommentSays() throws Exception {
        HttpResponse<String> response = get("/countdown?from=61");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("from must be from 1 to 60, got 61\n");
    }
}
