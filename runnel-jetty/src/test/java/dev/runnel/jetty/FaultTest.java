package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.LiveThreads;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What goes wrong in production, over real loopback connections: the server cleans up and carries on. */
class FaultTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<RunnelServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RunnelServer::stop);
    }

    private RunnelServer start(SseEngine engine, String path, dev.runnel.SseHandler handler) {
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).writeTimeout(Duration.ofSeconds(2)).build();
        server.sse(path, handler);
        server.start();
        servers.add(server);
        return server;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        dev.runnel.testkit.Await.until(condition, what, WAIT);
    }

    @Test
    void stoppingTheServerWithAThousandOpenStreamsCancelsEveryProducerWithinTheGrace() throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").shutdownGrace(Duration.ofSeconds(5)).build();
        AtomicInteger cleaned = new AtomicInteger();
        RunnelServer server = start(engine, "/s", req -> EventStream.producer(out -> {
            try {
                out.emit("open");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.incrementAndGet();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        List<RawSseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                RawSseClient client = RawSseClient.get(server.uri().resolve("/s"));
                clients.add(client);
                client.awaitText("data: open\n\n", WAIT);
            }
            assertThat(engine.openStreams()).isEqualTo(1000);
            long began = System.nanoTime();
            server.stop();
            long millis = (System.nanoTime() - began) / 1_000_000;
            System.out.printf("[figure] FaultTest: stopped with 1000 open streams in %d ms%n", millis);
            assertThat(millis).as("stopped within the 5 s grace plus Jetty's stop").isLessThan(7000);
            assertThat(cleaned).hasValue(1000);
            assertThat(engine.openStreams()).isZero();
            assertThat(LiveThreads.named("runnel-producer-")).isZero();
            for (RawSseClient client : clients.subList(0, 20)) {
                assertThat(client.readToEnd(WAIT)).isEqualTo("data: open\n\n"); // ended, no close event
            }
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void tenThousandConnectDisconnectCyclesLeaveNoThreadsSubscribersOrQueuedBytes() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        AtomicInteger cleaned = new AtomicInteger();
        RunnelServer server = start(engine, "/p", req -> EventStream.producer(out -> {
            try {
                out.emit("hi");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.incrementAndGet();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        server.sse("/t", req -> engine.hub().subscribe(req, "churn").heartbeat(Duration.ofSeconds(60)));
        int cycles = 10_000;
        for (int i = 0; i < cycles; i++) {
            boolean topic = i % 2 == 1;
            try (RawSseClient client = RawSseClient.get(server.uri().resolve(topic ? "/t" : "/p"))) {
                if (topic) {
                    assertThat(client.status()).isEqualTo(200);
                } else {
                    client.awaitText("data: hi\n\n", WAIT);
                }
            }
            if (i % 1000 == 999) {
                engine.hub().publish("churn", "tick " + i); // keep the hub busy while subscribers come and go
            }
        }
        await(() -> engine.openStreams() == 0 && cleaned.get() == cycles / 2, "every stream ended");
        assertThat(engine.hub().presence()).isEmpty();
        assertThat(engine.queuedBytes()).isZero();
        assertThat(LiveThreads.named("runnel-producer-")).isZero();
    }

    @Test
    void aClientThatResetsWhileALargeWriteIsInFlightIsCleanedUp() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        CountDownLatch cleaned = new CountDownLatch(1);
        String big = "x".repeat(64 * 1024);
        RunnelServer server = start(engine, "/big", req -> EventStream.producer(out -> {
            try {
                while (true) {
                    out.emit(big);
                }
            } finally {
                cleaned.countDown();
            }
        }));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = socket.getOutputStream();
            out.write("GET /big HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().readNBytes(200_000); // the server is mid-stream, with writes in flight
            socket.setSoLinger(true, 0);
        } // reset
        assertThat(cleaned.await(10, TimeUnit.SECONDS)).isTrue();
        await(() -> engine.openStreams() == 0, "the stream ended");
        // and the server still serves
        try (RawSseClient client = RawSseClient.get(server.uri().resolve("/big"))) {
            assertThat(client.awaitText("data: xxx", WAIT)).startsWith("data: xxx");
        }
    }

    @Test
    void aHalfOpenClientThatStopsReadingIsCutOffByTheWriteTimeoutWhileOthersGoOn() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        CountDownLatch stalledCleaned = new CountDownLatch(1);
        String big = "y".repeat(64 * 1024);
        RunnelServer server = start(engine, "/flood", req -> EventStream.producer(out -> {
            try {
                for (int i = 0; ; i++) {
                    out.emit(i + ":" + big);
                }
            } finally {
                if (req.header("X-Stall").isPresent()) {
                    stalledCleaned.countDown();
                }
            }
        }));
        try (RawSseClient stalled = RawSseClient.get(server.uri().resolve("/flood"), java.util.Map.of("X-Stall", "1"));
             RawSseClient reader = RawSseClient.get(server.uri().resolve("/flood"))) {
            // the reader reads all along; the stalled one never: its kernel buffers fill, then one write
            // blocks past the 2 s timeout
            var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.awaitEvents(500, WAIT).size();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            assertThat(stalledCleaned.await(20, TimeUnit.SECONDS)).as("stalled stream cut off").isTrue();
            assertThat(reading.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(500);
            assertThat(stalled.status()).isEqualTo(200);
        }
    }

    @Test
    void aProducerThatFailsAtAnyPointEndsItsOwnStreamOnly() throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").build();
        AtomicInteger closes = new AtomicInteger();
        RunnelServer server = start(engine, "/ok", req -> EventStream.of("fine"));
        server.sse("/fail/{where}", req -> switch (req.pathParam("where")) {
            case "at-once" -> EventStream.producer(out -> {
                throw new IllegalStateException("before any event");
            });
            case "in-finally" -> EventStream.producer(out -> {
                try {
                    out.emit("one");
                    throw new IllegalStateException("mid-stream");
                } finally {
                    throw new IllegalStateException("in finally too");
                }
            });
            case "iterator" -> EventStream.of(new Iterator<Object>() {
                int n;

                @Override
                public boolean hasNext() {
                    if (n == 1) {
                        throw new IllegalStateException("hasNext failed");
                    }
                    return true;
                }

                @Override
                public Object next() {
                    return "item " + n++;
                }
            });
            case "stream-close" -> EventStream.of(Stream.of("a").onClose(() -> {
                closes.incrementAndGet();
                throw new IllegalStateException("close failed");
            }));
            case "publisher" -> EventStream.from((Flow.Publisher<String>) s -> s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    s.onNext("p");
                    s.onError(new IllegalStateException("publisher failed"));
                }

                @Override
                public void cancel() {
                }
            }));
            case "subscribe" -> EventStream.from((Flow.Publisher<String>) s -> {
                throw new IllegalStateException("subscribe failed");
            });
            default -> throw new dev.runnel.BadRequestException("unknown case");
        });
        String error = "event: error\ndata: Internal server error\n\nevent: done\ndata: complete\n\n";
        java.util.Map<String, String> expected = java.util.Map.of(
                "at-once", error,
                "in-finally", "data: one\n\n" + error,
                "iterator", "data: item 0\n\n" + error,
                "stream-close", "data: a\n\n" + error,
                "publisher", "data: p\n\n" + error,
                "subscribe", error);
        for (var c : expected.entrySet()) {
            try (RawSseClient client = RawSseClient.get(URI.create(server.uri() + "/fail/" + c.getKey()))) {
                assertThat(client.readToEnd(WAIT)).as(c.getKey()).isEqualTo(c.getValue());
            }
            try (RawSseClient healthy = RawSseClient.get(server.uri().resolve("/ok"))) {
                assertThat(healthy.readToEnd(WAIT)).as("after " + c.getKey()).isEqualTo("data: fine\n\nevent: done\ndata: complete\n\n");
            }
        }
        assertThat(closes).hasValue(1);
        await(() -> engine.openStreams() == 0, "every stream ended");
        assertThat(LiveThreads.named("runnel-producer-")).isZero();
    }
}
