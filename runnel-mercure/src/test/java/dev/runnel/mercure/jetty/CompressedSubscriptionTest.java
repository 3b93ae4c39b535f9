package dev.runnel.mercure.jetty;

import dev.runnel.compress.Compression;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.DecodedStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A Mercure hub with compression on: each subscriber gets the coding it accepts, every update at once. */
class CompressedSubscriptionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private MercureFixture hub;
    private DecodedStream stream;

    @AfterEach
    void stop() throws Exception {
        if (stream != null) {
            stream.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private HttpResponse<InputStream> subscribe(String acceptEncoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(hub.hubUri("topic", "https://example.com/books/1")).timeout(WAIT);
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        return hub.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void aSubscriberThatAcceptsGzipDecodesEachUpdateAsItIsPublished() throws Exception {
        hub = MercureFixture.start(o -> o.anonymous(true).compression(Compression.of("gzip")));
        var response = subscribe("gzip, deflate, br");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        stream = DecodedStream.read(response.body(), "gzip");
        Await.until(() -> hub.engine.openStreams() == 1, "subscribed", WAIT);
        for (int i = 1; i <= 3; i++) {
            hub.publishOk("topic", "https://example.com/books/1", "data", "{\"title\":\"book " + i + "\"}", "id", "urn:" + i);
            stream.awaitText("id: urn:" + i + "\ndata: {\"title\":\"book " + i + "\"}\n\n", WAIT);
        }
    }

    @Test
    void aSubscriberThatAcceptsNoCodingGetsThePlainStream() throws Exception {
        hub = MercureFixture.start(o -> o.anonymous(true).compression(Compression.of("gzip")));
        var response = subscribe(null);
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        stream = DecodedStream.read(response.body(), null);
        Await.until(() -> hub.engine.openStreams() == 1, "subscribed", WAIT);
        hub.publishOk("topic", "https://example.com/books/1", "data", "plain", "id", "urn:1");
        stream.awaitText("id: urn:1\ndata: plain\n\n", WAIT);
    }

    @Test
    void compressionIsOffByDefault() throws Exception {
        hub = MercureFixture.start(o -> o.anonymous(true));
        var response = subscribe("gzip");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        response.body().close();
    }
}
