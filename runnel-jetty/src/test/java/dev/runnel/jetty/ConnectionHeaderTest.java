package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A stream's {@code Connection} header says what the server will do with the connection, once. */
class ConnectionHeaderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private RunnelServer server;

    @BeforeEach
    void start() {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build()).build();
        server.sse("/s", req -> EventStream.of("one"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private String request(String version, String extraHeaders) {
        return "GET /s " + version + "\r\nHost: 127.0.0.1:" + server.port() + "\r\nAccept: text/event-stream\r\n" + extraHeaders + "\r\n";
    }

    @Test
    void aStreamAskedToCloseTheConnectionSaysCloseOnly() throws Exception {
        try (RawHttp http = RawHttp.connect(server.uri(), WAIT)) {
            http.send(request("HTTP/1.1", "Connection: close\r\n"));
            RawHttp.Response response = http.read(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.all("connection")).containsExactly("close");
            assertThat(response.text()).isEqualTo("data: one\n\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void anHttp10StreamNeverSaysKeepAliveAndEndsWithTheConnection() throws Exception {
        try (RawHttp http = RawHttp.connect(server.uri(), WAIT)) {
            http.send(request("HTTP/1.0", ""));
            RawHttp.Response response = http.read(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.all("connection")).containsExactly("close");
            assertThat(response.all("transfer-encoding")).isEmpty();
            assertThat(response.text()).isEqualTo("data: one\n\n"); // read to the end of the connection
        }
    }

    @Test
    void anHttp10StreamAskingForKeepAliveStillSaysItWillClose() throws Exception {
        // the stream's length is unknown, so without chunking its end can only be the connection's end
        try (RawHttp http = RawHttp.connect(server.uri(), WAIT)) {
            http.send(request("HTTP/1.0", "Connection: keep-alive\r\n"));
            RawHttp.Response response = http.read(false);
            assertThat(response.all("connection")).containsExactly("close");
            assertThat(response.text()).isEqualTo("data: one\n\n");
        }
    }

    @Test
    void anHttp11StreamSaysKeepAliveOnceAndTheConnectionCarriesTheNextRequest() throws Exception {
        try (RawHttp http = RawHttp.connect(server.uri(), WAIT)) {
            http.send(request("HTTP/1.1", ""));
            RawHttp.Response first = http.read(false);
            assertThat(first.all("connection")).containsExactly("keep-alive");
            assertThat(first.text()).isEqualTo("data: one\n\n");
            http.send(request("HTTP/1.1", ""));
            RawHttp.Response second = http.read(false);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).isEqualTo("data: one\n\n");
        }
    }

    @Test
    void aStreamOnAServerWithoutPersistentConnectionsSaysCloseOnlyAndCloses() throws Exception {
        RunnelServer closing = RunnelServer.builder().port(0).http2(false).engine(SseEngine.builder().build()).build();
        closing.sse("/s", req -> EventStream.of("one"));
        closing.configureJetty(jetty -> {
            for (org.eclipse.jetty.server.Connector connector : jetty.getConnectors()) {
                connector.getConnectionFactory(org.eclipse.jetty.server.HttpConnectionFactory.class)
                        .getHttpConfiguration().setPersistentConnectionsEnabled(false);
            }
        });
        closing.start();
        try (RawHttp http = RawHttp.connect(closing.uri(), WAIT)) {
            http.send("GET /s HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
            RawHttp.Response response = http.read(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.all("connection")).containsExactly("close");
            assertThat(response.text()).isEqualTo("data: one\n\n");
            assertThat(http.closedByServer()).isTrue();
        } finally {
            closing.stop();
        }
    }

    @Test
    void anHttp2StreamHasNoConnectionHeader() throws Exception {
        Process curl = new ProcessBuilder("curl", "-sS", "-N", "--http2-prior-knowledge", "-D", "-", server.uri() + "/s")
                .redirectErrorStream(true).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).startsWith("HTTP/2 200").endsWith("data: one\n\n");
        assertThat(out.toLowerCase(java.util.Locale.ROOT)).doesNotContain("connection:");
    }
}
