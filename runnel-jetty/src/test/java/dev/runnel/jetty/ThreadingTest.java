package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.JsonCodec;
import dev.runnel.SseEngine;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.LiveThreads;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    @Test
    void aClientLeavingWhileTheHubIsLockedDoesNotHoldUpDisconnectDetectionForOthers() throws Exception {
        CountDownLatch hubLocked = new CountDownLatch(1);
        CountDownLatch unlock = new CountDownLatch(1);
        // the hub writes a reset event's JSON under its lock: a codec that waits there holds the lock
        JsonCodec waiting = value -> {
            hubLocked.countDown();
            unlock.await();
            return "{}";
        };
        SseEngine engine = SseEngine.builder().json(waiting).build();
        server = RunnelServer.builder().port(0).engine(engine).build();
        CountDownLatch producerCancelled = new CountDownLatch(1);
        server.sse("/topic", req -> engine.hub().subscribe(req, "t").heartbeat(Duration.ofSeconds(60)));
        server.sse("/producer", req -> EventStream.producer(out -> {
            try {
                out.emit("open");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                producerCancelled.countDown();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        server.start();
        java.util.concurrent.atomic.AtomicReference<RawSseClient> locker = new java.util.concurrent.atomic.AtomicReference<>();
        Thread opening = null;
        try (RawSseClient subscriber = RawSseClient.get(server.uri().resolve("/topic"))) {
            Await.until(() -> engine.hub().subscribers("t") >= 1, "the first client subscribed", Duration.ofSeconds(10));
            // its head waits for its subscription to attach, which waits for the lock: opened on a thread of its own
            opening = Thread.ofVirtual().start(() -> {
                try {
                    locker.set(RawSseClient.get(server.uri().resolve("/topic"), Map.of("Last-Event-ID", "malformed")));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(hubLocked.await(10, TimeUnit.SECONDS)).as("the hub's lock is held").isTrue();
            subscriber.close(); // leaving takes this subscriber off the hub, which needs the lock
            try (RawSseClient other = RawSseClient.get(server.uri().resolve("/producer"))) {
                other.awaitText("data: open\n\n", Duration.ofSeconds(10));
                other.close();
                assertThat(producerCancelled.await(10, TimeUnit.SECONDS))
                        .as("another client's leaving was noticed while the hub's lock was held").isTrue();
            }
            unlock.countDown();
            assertThat(opening.join(Duration.ofSeconds(10))).isTrue();
            assertThat(locker.get().status()).as("the locked subscription answers once the lock is free").isEqualTo(200);
        } finally {
            unlock.countDown();
            if (opening != null && opening.join(Duration.ofSeconds(10)) && locker.get() != null) {
                locker.get().close();
            }
        }
    }

    @Test
    void afterTheServerStopsAndItsEngineClosesNoRunnelThreadIsLeft() throws Exception {
        List<String> before = LiveThreads.names("runnel-");
        SseEngine engine = SseEngine.builder().build();
        server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/producer", req -> EventStream.producer(out -> {
            out.emit("open");
            Thread.sleep(Duration.ofHours(1));
        }));
        server.sse("/topic", req -> engine.hub().subscribe(req, "t"));
        server.start();
        try (RawSseClient leaves = RawSseClient.get(server.uri().resolve("/producer"));
             RawSseClient stays = RawSseClient.get(server.uri().resolve("/topic"))) {
            leaves.awaitText("data: open\n\n", Duration.ofSeconds(10));
            Await.until(() -> engine.hub().subscribers("t") == 1, "subscribed", Duration.ofSeconds(10));
            engine.hub().publish("t", "x");
            stays.awaitText("data: x\n\n", Duration.ofSeconds(10));
            leaves.close(); // one client leaves by itself, the other is still there when the server stops
            Await.until(() -> engine.openStreams() == 1, "the first stream ended", Duration.ofSeconds(10));
            server.stop();
            server = null;
            engine.close();
        }
        assertNoRunnelThreadLeft(before);
    }

    /**
     * Waits a little for threads that are ending, then fails naming any {@code runnel-} thread started
     * since {@code before} that is still alive.
     */
    static void assertNoRunnelThreadLeft(List<String> before) throws InterruptedException {
        assertThat(LiveThreads.leftSince(before, "runnel-", Duration.ofSeconds(10)))
                .as("threads named runnel-* still alive").isEmpty();
    }
}
