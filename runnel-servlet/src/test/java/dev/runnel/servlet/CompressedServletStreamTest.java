package dev.runnel.servlet;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.compress.Compression;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.DecodedStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Compressed streams through the Servlet adapter, on each container, read by a client that decodes as it goes. */
class CompressedServletStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** {@code ?topic=t} subscribes to t; without it, three events and the end. */
    private SseEngine engine;

    private Container.Running serve(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").build();
        this.engine = engine;
        ServletSse sse = ServletSse.builder(engine).build();
        open.add(sse);
        Container.Running running = container.start(engine, new RunnelServlet(sse, req -> {
            EventStream stream = req.query("topic").isPresent()
                    ? engine.hub().subscribe(req, req.query("topic").get()).heartbeat(Duration.ofSeconds(1))
                    : EventStream.producer(out -> {
                        for (int i = 1; i <= 3; i++) {
                            out.emit(SseEvent.of("event " + i));
                        }
                    });
            return stream.compression(Compression.of("gzip"));
        }), Container.Options.DEFAULTS);
        open.add(running);
        return running;
    }

    private HttpResponse<InputStream> get(URI uri, String acceptEncoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").timeout(WAIT);
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        HttpResponse<InputStream> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        open.add(r.body());
        return r;
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void eachEventAndHeartbeatIsDecodedAsSoonAsItIsSent(Container container) throws Exception {
        Container.Running running = serve(container);
        var response = get(running.uri("topic=news"), "gzip, deflate");
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        DecodedStream stream = DecodedStream.read(response.body(), "gzip");
        open.add(stream);
        Await.until(() -> engine.hub().subscribers("news") == 1, "subscribed", WAIT);
        for (int i = 1; i <= 4; i++) {
            engine.hub().publish("news", ("<li>item " + i + " ünïcödé</li>").repeat(10));
            stream.awaitText("data: " + ("<li>item " + i + " ünïcödé</li>").repeat(10) + "\n\n", WAIT);
        }
        stream.awaitText(": heartbeat\n\n", WAIT);
        assertThat(stream.failure()).isNull();
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aNormalEndHasAValidGzipTrailer(Container container) throws Exception {
        Container.Running running = serve(container);
        var response = get(running.uri(""), "gzip");
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (InputStream in = new GZIPInputStream(response.body())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("data: event 1\n\ndata: event 2\n\ndata: event 3\n\nevent: done\ndata: complete\n\n");
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void withoutAnAcceptedCodingTheStreamIsPlain(Container container) throws Exception {
        Container.Running running = serve(container);
        for (String accept : new String[] {null, "identity", "gzip;q=0"}) {
            var response = get(running.uri(""), accept);
            assertThat(response.headers().firstValue("Content-Encoding")).as(String.valueOf(accept)).isEmpty();
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("data: event 1\n\ndata: event 2\n\ndata: event 3\n\nevent: done\ndata: complete\n\n");
        }
    }
}
