package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stream limits: past them a client is told to come back later, and nothing else is harmed. */
class LimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private RunnelServer server;
    private final List<RawSseClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private URI start(SseEngine engine) {
        server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/s", req -> EventStream.producer(out -> {
            out.emit("open");
            Thread.sleep(Duration.ofHours(1));
        }).heartbeat(Duration.ofSeconds(60)));
        server.start();
        return server.uri().resolve("/s");
    }

    private RawSseClient open(URI uri) throws Exception {
        RawSseClient client = RawSseClient.get(uri);
        clients.add(client);
        return client;
    }

    @Test
    void beyondTheGlobalLimitAStreamIsRefusedWith503AndRetryAfter() throws Exception {
        SseEngine engine = SseEngine.builder().maxStreams(3).build();
        URI uri = start(engine);
        for (int i = 0; i < 3; i++) {
            open(uri).awaitText("data: open\n\n", WAIT);
        }
        RawSseClient refused = open(uri);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("2");
        assertThat(refused.readToEnd(WAIT)).startsWith("too many open streams on this server (at most 3)");
        // a place frees up when a stream ends
        clients.get(0).close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.openStreams() > 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(open(uri).awaitText("data: open\n\n", WAIT)).isEqualTo("data: open\n\n");
    }

    @Test
    void beyondThePerAddressLimitAStreamIsRefused() throws Exception {
        SseEngine engine = SseEngine.builder().maxStreamsPerAddress(2).build();
        URI uri = start(engine);
        open(uri).awaitText("data: open\n\n", WAIT);
        open(uri).awaitText("data: open\n\n", WAIT);
        RawSseClient third = open(uri);
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.readToEnd(WAIT)).startsWith("too many open streams from your address (at most 2)");
        assertThat(engine.openStreams()).isEqualTo(2);
    }

    @Test
    void anAcceptQueueOutsideItsRangeIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> RunnelServer.builder().acceptQueueSize(0)).hasMessageContaining("acceptQueueSize must be from 1 to 65535");
    }

    @Test
    void aSendBufferOutsideItsRangeIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> RunnelServer.builder().sendBufferBytes(1024))
                .hasMessageContaining("sendBufferBytes must be 0 (the kernel's own) or from 4096 to 67108864, got 1024");
        assertThatThrownBy(() -> RunnelServer.builder().sendBufferBytes(-1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> RunnelServer.builder().sendBufferBytes((64 << 20) + 1)).hasMessageContaining("sendBufferBytes");
        RunnelServer.builder().sendBufferBytes(0).sendBufferBytes(4096).sendBufferBytes(64 << 20);
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> SseEngine.builder().maxStreams(0)).hasMessageContaining("maxStreams must be >= 1");
        assertThatThrownBy(() -> SseEngine.builder().maxStreamsPerAddress(0)).hasMessageContaining("maxStreamsPerAddress");
    }
}
