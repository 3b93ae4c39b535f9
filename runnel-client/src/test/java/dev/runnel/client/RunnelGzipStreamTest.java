package dev.runnel.client;

import dev.runnel.SseEngine;
import dev.runnel.compress.Compression;
import dev.runnel.compress.ContentCodings;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.DeflaterGzipCoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A Runnel route compressed with gzip, read by the client event by event. */
class RunnelGzipStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private RunnelServer server;

    @BeforeAll
    static void gzip() {
        if (ContentCodings.find("gzip").isEmpty()) {
            ContentCodings.register(new DeflaterGzipCoding()); // while the built-in gzip is not on this branch
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void eachPublishedEventIsDecodedBeforeTheNextIsPublished() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/feed", req -> engine.hub().subscribe(req, "feed").compression(Compression.of("gzip"))
                .heartbeat(Duration.ofSeconds(60)));
        server.start();
        Recorder recorder = new Recorder();
        try (EventSource source = EventSource.connect(server.uri().resolve("/feed"),
                EventSourceOptions.DEFAULTS.withReconnect(false), recorder)) {
            assertThat(recorder.next(java.net.http.HttpResponse.ResponseInfo.class).headers()
                    .firstValue("Content-Encoding")).hasValue("gzip");
            Await.until(() -> engine.hub().subscribers("feed") == 1, "subscribed", WAIT);
            String json = "{\"symbol\":\"ÄBC\",\"price\":12.5,\"note\":\"☃\"}";
            for (int i = 1; i <= 6; i++) {
                engine.hub().publish("feed", i + " " + json);
                // the next is published only once this one was delivered
                assertThat(recorder.awaitEventData(i).getLast()).isEqualTo(i + " " + json);
            }
            assertThat(recorder.errors).isEmpty();
        }
    }
}
