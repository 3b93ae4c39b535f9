package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The caps on what one request may send, and requests that could be read two ways: each is refused
 * with its own status before any route sees it, and the server goes on serving others.
 */
class HttpLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private RunnelServer server;
    private URI uri;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private void start(RunnelServer.Builder builder) {
        server = builder.port(0).engine(SseEngine.builder().build()).build();
        server.get("/ping", req -> HttpResponse.text(200, "pong " + req.context().query("token").map(String::length).orElse(0)));
        server.post("/publish", req -> HttpResponse.text(200, "got " + req.body().length));
        server.sse("/events", req -> EventStream.of("hello"));
        server.start();
        uri = server.uri();
    }

    private RawHttp.Response exchange(String request) throws IOException {
        try (RawHttp c = RawHttp.connect(uri, WAIT)) {
            c.send(request);
            return c.read(false);
        }
    }

    private void assertStillServing() throws IOException {
        assertThat(exchange("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed() throws Exception {
        start(RunnelServer.builder());
        try (RawHttp c = RawHttp.connect(uri, WAIT)) {
            // read by Content-Length, the smuggled request would be a body; read as chunked, a second request
            c.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = c.read(false);
            assertThat(response.status()).isEqualTo(400);
            assertThat(c.closedByServer()).as("connection closed after the refusal").isTrue();
        }
        assertStillServing();
    }

    @Test
    void twoContentLengthsThatDifferAreRefused() throws Exception {
        start(RunnelServer.builder());
        try (RawHttp c = RawHttp.connect(uri, WAIT)) {
            c.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
            assertThat(c.read(false).status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void headersOverTheCapAre431() throws Exception {
        start(RunnelServer.builder().maxRequestHeaderBytes(4096));
        String big = "a".repeat(5000);
        RawHttp.Response response = exchange("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
        assertThat(response.status()).isEqualTo(431);
        // many small headers count together
        StringBuilder many = new StringBuilder("GET /ping HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 400; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(exchange(many.append("\r\n").toString()).status()).isEqualTo(431);
        assertThat(exchange("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(3000) + "\r\n\r\n").status()).isEqualTo(200);
        assertStillServing();
    }

    @Test
    void aRequestLineOverTheCapIs414() throws Exception {
        start(RunnelServer.builder().maxRequestHeaderBytes(4096));
        String query = "?token=" + "é".repeat(3000).replace("é", "%C3%A9");
        assertThat(exchange("GET /ping" + query + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(414);
        assertThat(exchange("GET /" + "p".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(414);
        assertThat(exchange("GET /ping?token=" + "a".repeat(3000) + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
        assertStillServing();
    }

    @Test
    void theDefaultHeaderCapIsEightKibibytes() throws Exception {
        start(RunnelServer.builder());
        assertThat(exchange("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(7000) + "\r\n\r\n").status()).isEqualTo(200);
        assertThat(exchange("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n").status()).isEqualTo(431);
        assertThat(exchange("GET /ping?q=" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(414);
    }

    @Test
    void aPublishBodyOverTheCapIs413DeclaredOrChunked() throws Exception {
        start(RunnelServer.builder().maxRequestBodyBytes(1000));
        byte[] body = new byte[1001];
        Arrays.fill(body, (byte) 0xC3);
        try (RawHttp c = RawHttp.connect(uri, WAIT)) {
            c.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n");
            c.send(body);
            assertThat(c.read(false).status()).isEqualTo(413);
        }
        try (RawHttp c = RawHttp.connect(uri, WAIT)) {
            c.send("POST /publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 3; i++) {
                c.send("190\r\n"); // 400 bytes a chunk: the third goes over
                c.send(Arrays.copyOf(body, 400));
                c.send("\r\n");
            }
            c.send("0\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(413);
        }
        assertStillServing();
    }

    @Test
    void aHeaderCapOutsideItsRangeIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> RunnelServer.builder().maxRequestHeaderBytes(1023))
                .hasMessageContaining("maxRequestHeaderBytes must be from 1024 to 1048576, got 1023");
        assertThatThrownBy(() -> RunnelServer.builder().maxRequestHeaderBytes((1 << 20) + 1)).hasMessageContaining("maxRequestHeaderBytes");
    }
}
