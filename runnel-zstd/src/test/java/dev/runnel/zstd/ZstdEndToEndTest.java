package dev.runnel.zstd;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;
import dev.runnel.compress.Compression;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A Runnel route compressed with zstd (found by ServiceLoader), read by Runnel's client. */
class ZstdEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private RunnelServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private RunnelServer serve() {
        SseEngine engine = SseEngine.builder().build();
        server = RunnelServer.builder().port(0).engine(engine).build();
        Compression zstd = Compression.of("zstd");
        server.sse("/ticker", req -> engine.hub().subscribe(req, "ticker").compression(zstd).heartbeat(Duration.ofSeconds(60)));
        server.sse("/count", req -> EventStream.producer(out -> {
            for (int i = 1; i <= 50; i++) {
                out.emit(SseEvent.of("{\"n\":" + i + ",\"name\":\"Zürich\"}").withId(Integer.toString(i)));
            }
        }).compression(zstd));
        server.get("/ping", req -> dev.runnel.jetty.HttpResponse.text(200, "pong"));
        server.start();
        return server;
    }

    /** Records what a source delivers; the test waits on it. */
    private static final class Received implements EventSourceListener {
        final BlockingQueue<MessageEvent> events = new LinkedBlockingQueue<>();
        final List<String> encodings = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        volatile StreamEnd end;

        @Override
        public void onOpen(EventSource source, HttpResponse.ResponseInfo response) {
            encodings.add(response.headers().firstValue("Content-Encoding").orElse("none"));
        }

        @Override
        public void onEvent(EventSource source, MessageEvent event) {
            events.add(event);
        }

        @Override
        public void onError(EventSource source, Throwable error) {
            errors.add(error);
        }

        @Override
        public void onClosed(EventSource source, StreamEnd reason) {
            end = reason;
        }

        MessageEvent next() throws InterruptedException {
            MessageEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("an event within %s (errors: %s)", WAIT, errors).isNotNull();
            return event;
        }
    }

    @ParameterizedTest(name = "http2={0}")
    @ValueSource(booleans = {false, true})
    void eachPublishedEventIsDecodedBeforeTheNextIsPublished(boolean http2) throws Exception {
        RunnelServer server = serve();
        HttpClient client = HttpClient.newBuilder()
                .version(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1).build();
        try (client) {
            if (http2) { // h2c: the upgrade on a first request, then the stream on that connection
                HttpResponse<String> ping = client.send(HttpRequest.newBuilder(server.uri().resolve("/ping")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ping.version()).isEqualTo(HttpClient.Version.HTTP_2);
            }
            Received received = new Received();
            EventSourceOptions options = EventSourceOptions.DEFAULTS.withReconnect(false).withHttpClient(client);
            try (EventSource source = EventSource.connect(server.uri().resolve("/ticker"), options, received)) {
                Await.until(() -> server.engine().hub().subscribers("ticker") == 1, "subscribed", WAIT);
                String row = "<tr><td class=\"price\">Grüße €</td><td>東京</td></tr>".repeat(10);
                for (int i = 1; i <= 8; i++) {
                    server.engine().hub().publish("ticker", "tick " + i + " " + row);
                    // published only after the one before was delivered: a stream held in the compressor fails here
                    assertThat(received.next().data()).isEqualTo("tick " + i + " " + row);
                }
                assertThat(received.encodings).containsExactly("zstd");
                assertThat(received.errors).isEmpty();
            }
        }
    }

    @Test
    void aStreamThatEndsNormallyEndsItsFrameAndTheClientSeesAnEnd() throws Exception {
        RunnelServer server = serve();
        Received received = new Received();
        try (EventSource source = EventSource.connect(server.uri().resolve("/count"),
                EventSourceOptions.DEFAULTS.withReconnect(false), received)) {
            for (int i = 1; i <= 50; i++) {
                assertThat(received.next().lastEventId()).isEqualTo(Integer.toString(i));
            }
            Await.until(() -> received.end != null, "the source ended", WAIT);
            assertThat(received.end).as("errors: %s", received.errors).isInstanceOf(StreamEnd.Ended.class);
            assertThat(received.encodings).containsExactly("zstd");
            assertThat(received.errors).isEmpty();
        }
    }
}
