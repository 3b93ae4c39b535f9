package dev.runnel.example.docs;

import dev.runnel.hub.Hub;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.DecodedStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample of docs/COMPRESSION.md, {@link CompressionSample}: a client that accepts gzip gets each price decoded as it is published; one that does not gets it plain. */
class CompressionSampleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private RunnelServer server;

    @BeforeEach
    void start() {
        server = CompressionSample.pricesServer(0);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void aClientThatAcceptsGzipGetsEachPriceCompressedAndAsSoonAsItIsPublished() throws Exception {
        Hub hub = server.engine().hub();
        HttpResponse<InputStream> response = open("gzip, deflate");
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().allValues("Vary")).anyMatch(v -> v.contains("Accept-Encoding"));
        try (DecodedStream decoded = DecodedStream.read(response.body(), "gzip")) {
            Await.until(() -> hub.subscribers("prices") == 1, "the subscriber is registered", WAIT);
            for (int i = 1; i <= 3; i++) {
                CompressionSample.price(hub, "ÄCME", "10" + i + ".5");
                decoded.awaitText("ÄCME 10" + i + ".5", WAIT);
            }
        }
        assertThat(CompressionSample.COMPRESSED.compression().codings()).containsExactly("gzip");
    }

    @Test
    void aClientThatDoesNotAcceptGzipGetsThePlainStream() throws Exception {
        HttpResponse<InputStream> response = open("br;q=1, gzip;q=0");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        response.body().close();
    }

    private HttpResponse<InputStream> open(String acceptEncoding) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve("/sse/prices"))
                .header("Accept-Encoding", acceptEncoding).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
    }
}
