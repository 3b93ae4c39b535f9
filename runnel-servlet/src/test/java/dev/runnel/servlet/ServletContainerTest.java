package dev.runnel.servlet;

import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.testkit.LiveThreads;
import dev.runnel.hub.HubOptions;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** What the Servlet adapter adds to the lifecycle contract, on each container. */
class ServletContainerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private URI serve(Container container, ServletSse sse, SseHandler handler, Container.Options options) throws Exception {
        open.add(sse);
        Container.Running running = container.start(sse.engine(), new RunnelServlet(sse, handler), options);
        open.add(running);
        return running.uri("");
    }

    private RawSseClient connect(URI uri) throws Exception {
        RawSseClient client = RawSseClient.get(uri);
        open.add(client);
        return client;
    }

    // ---- detection on write, when the connection is not watched ---------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void withoutWatchingAClosedConnectionIsNoticedWithinTwoHeartbeats(Container container) throws Exception {
        long millis = leaveAndTimeCancellation(container, false);
        System.out.printf("[figure] %s, connection not watched: producer cancelled %d ms after the client closed the connection (heartbeat 1 s)%n", container, millis);
        assertThat(millis).as("noticed by the second heartbeat write after the FIN").isLessThan(3_000);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void withoutWatchingAResetConnectionIsNoticedAtTheNextHeartbeat(Container container) throws Exception {
        long millis = leaveAndTimeCancellation(container, true);
        System.out.printf("[figure] %s, connection not watched: producer cancelled %d ms after the client reset the connection (heartbeat 1 s)%n", container, millis);
        assertThat(millis).as("noticed by the first heartbeat write after the reset").isLessThan(2_000);
    }

    /** Streams with a 1 s heartbeat and no connection watching; returns how long the producer ran after the client left. */
    private long leaveAndTimeCancellation(Container container, boolean reset) throws Exception {
        SseEngine engine = SseEngine.builder().build();
        CountDownLatch cleaned = new CountDownLatch(1);
        ServletSse sse = ServletSse.builder(engine).watchConnections(false).build();
        URI uri = serve(container, sse, req -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(1)), Container.Options.DEFAULTS);
        RawSseClient client = connect(uri);
        client.awaitText("data: hello\n\n", WAIT);
        long leftAt = System.nanoTime();
        if (reset) {
            client.reset();
        } else {
            client.close();
        }
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).as("producer cancelled within 5 s").isTrue();
        return (System.nanoTime() - leftAt) / 1_000_000;
    }

    // ---- watching the connection -------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void aClientThatSendsBytesBeforeClosingIsStillNoticedAtOnce(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().build();
        CountDownLatch cleaned = new CountDownLatch(1);
        URI uri = serve(container, ServletSse.of(engine), req -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(60)), Container.Options.DEFAULTS);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(("GET /stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[1024];
            while (received.indexOf("data: hello") < 0) {
                int n = socket.getInputStream().read(buffer);
                assertThat(n).as("stream still open").isPositive();
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            // a TLS client sends its close alert before the FIN; here, any bytes will do
            socket.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).as("producer cancelled long before the 60 s heartbeat").isTrue();
        awaitNoOpenStreams(engine);
    }

    // ---- threads -----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void afterTheContainerStopsAndTheAdapterAndEngineCloseNoRunnelThreadIsLeft(Container container) throws Exception {
        List<String> before = LiveThreads.names("runnel-");
        SseEngine engine = SseEngine.builder().build();
        ServletSse sse = ServletSse.of(engine);
        CountDownLatch cleaned = new CountDownLatch(1);
        Container.Running running = container.start(engine, new RunnelServlet(sse, req -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.countDown();
            }
        })), Container.Options.DEFAULTS);
        try (RawSseClient client = RawSseClient.get(running.uri(""))) {
            client.awaitText("data: hello\n\n", WAIT);
        } // the watcher sees the client leave
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).isTrue();
        running.close();
        sse.close();
        engine.close();
        assertThat(LiveThreads.leftSince(before, "runnel-", WAIT))
                .as("threads named runnel-* this test started, still alive").isEmpty();
    }

    // ---- timeouts --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void aQuietStreamOutlivesContainerTimeoutsShorterThanItsHeartbeat(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").build();
        CountDownLatch quietPeriodOver = new CountDownLatch(1);
        URI uri = serve(container, ServletSse.of(engine), req -> EventStream.producer(out -> {
            out.emit("before");
            quietPeriodOver.await();
            out.emit("after");
        }).heartbeat(Duration.ofSeconds(1)), Container.Options.timeouts(Duration.ofMillis(300)));
        RawSseClient client = connect(uri);
        client.awaitText("data: before\n\n", WAIT);
        client.awaitText(": heartbeat\n\n", WAIT); // 1 s of silence: three times every container timeout
        quietPeriodOver.countDown();
        assertThat(client.readToEnd(WAIT)).isEqualTo("data: before\n\n: heartbeat\n\ndata: after\n\nevent: done\ndata: complete\n\n");
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aClientThatStopsReadingIsCutOffAfterTheWriteTimeout(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().build();
        CountDownLatch cleaned = new CountDownLatch(1);
        AtomicReference<Integer> sent = new AtomicReference<>(0);
        String chunk = "x".repeat(64 * 1024);
        // 2 s: the reader parses what it has read again on every await, so on a loaded machine it can pause for a while
        ServletSse sse = ServletSse.builder(engine).writeTimeout(Duration.ofSeconds(2)).build();
        URI uri = serve(container, sse, req -> EventStream.producer(out -> {
            try {
                for (int i = 0; i < 100_000; i++) { // far more than any socket buffer holds
                    out.emit(chunk);
                    sent.set(i + 1);
                }
            } finally {
                cleaned.countDown();
            }
        }), Container.Options.DEFAULTS);
        RawSseClient client = connect(uri); // reads the head, then nothing
        assertThat(cleaned.await(15, TimeUnit.SECONDS)).as("producer cancelled once a write waited 500 ms").isTrue();
        assertThat(sent.get()).isLessThan(100_000);
        awaitNoOpenStreams(engine);
    }

    // ---- hub subscriptions, written without a thread of their own -----------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void aHubSubscriptionGetsLargeEventsInOrderThroughTheOutputsBackPressure(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withQueueLimits(10_000, 1L << 30)).build();
        URI uri = serve(container, ServletSse.of(engine), req -> engine.hub().subscribe(req, List.of("big")), Container.Options.DEFAULTS);
        RawSseClient client = connect(uri); // reads nothing until it awaits: the output stops being ready
        awaitSubscribers(engine, "big", 1);
        // ASCII: RawSseClient decodes each read on its own, so it would split a multi-byte character itself
        String big = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(1000);
        for (int i = 0; i < 200; i++) {
            engine.hub().publish("big", i + ":" + big.substring(i));
        }
        List<WireEvents.Event> events = client.awaitEvents(200, Duration.ofSeconds(30));
        for (int i = 0; i < 200; i++) {
            assertThat(events.get(i).data()).isEqualTo(i + ":" + big.substring(i));
        }
        assertThat(engine.openStreams()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aHubSubscriberThatStopsReadingIsCutOffByTheWriteTimeoutWhileTheOthersGoOn(Container container) throws Exception {
        Queue<EngineMetrics.EndReason> ends = new ConcurrentLinkedQueue<>();
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withQueueLimits(100_000, 1L << 32))
                .metrics(new EngineMetrics() {
                    @Override
                    public void streamEnded(String route, List<String> topics, EndReason reason, long nanos, long events, long bytes) {
                        ends.add(reason);
                    }
                }).build();
        // 2 s: the reader parses what it has read again on every await, so on a loaded machine it can pause for a while
        ServletSse sse = ServletSse.builder(engine).writeTimeout(Duration.ofSeconds(2)).build();
        URI uri = serve(container, sse, req -> engine.hub().subscribe(req, List.of("flood")), Container.Options.DEFAULTS);
        RawSseClient stalled = connect(uri); // reads the head, then nothing
        RawSseClient reader = connect(uri);
        awaitSubscribers(engine, "flood", 2);
        String big = "y".repeat(64 * 1024);
        int count = 300; // about 20 MB: far more than the socket buffers hold
        var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return reader.awaitEvents(count, Duration.ofSeconds(60)).size();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        for (int i = 0; i < count; i++) {
            engine.hub().publish("flood", i + ":" + big);
        }
        assertThat(reading.get(60, TimeUnit.SECONDS)).isEqualTo(count);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ends.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(ends).containsExactly(EngineMetrics.EndReason.WRITE_TIMEOUT);
        assertThat(engine.hub().subscribers("flood")).isEqualTo(1);
        assertThat(stalled.status()).isEqualTo(200);
    }

    private static void awaitSubscribers(SseEngine engine, String topic, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.hub().subscribers(topic) < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(engine.hub().subscribers(topic)).isEqualTo(count);
    }

    // ---- requests the adapter refuses --------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void aMalformedQueryStringIs400WithOneLine(Container container) throws Exception {
        URI uri = serve(container, ServletSse.of(SseEngine.builder().build()), req -> EventStream.of("x"), Container.Options.DEFAULTS);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) { // java.net.URI refuses a bad escape
            socket.getOutputStream().write(("GET /stream?room=%zz HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout((int) WAIT.toMillis());
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400");
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertThat(body).startsWith("malformed query string: ").endsWith("\n").hasLineCount(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void queryParametersAreDecodedInOrderFromTheQueryStringAlone(Container container) throws Exception {
        URI uri = serve(container, ServletSse.of(SseEngine.builder().build()), req -> EventStream.of(req.query().toString()),
                Container.Options.DEFAULTS);
        String body = connect(URI.create(uri + "?b=2&a=x+y&b=%C3%A9&flag")).readToEnd(WAIT);
        assertThat(body).isEqualTo("data: {b=[2, é], a=[x y], flag=[]}\n\n");
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aServletWithoutAsyncSupportFailsWithoutStreaming(Container container) throws Exception {
        URI uri = serve(container, ServletSse.of(SseEngine.builder().build()), req -> EventStream.of("x"),
                Container.Options.withoutAsyncSupport());
        assertThat(connect(uri).status()).isEqualTo(500);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void otherMethodsThanGetAre405(Container container) throws Exception {
        URI uri = serve(container, ServletSse.of(SseEngine.builder().build()), req -> EventStream.of("x"), Container.Options.DEFAULTS);
        for (String method : List.of("HEAD", "POST")) {
            try (RawSseClient client = RawSseClient.request(method, uri, Map.of("Content-Length", "0"), WAIT)) {
                assertThat(client.status()).as(method).isEqualTo(405);
            }
        }
    }

    private static void awaitNoOpenStreams(SseEngine engine) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.openStreams() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.openStreams()).isZero();
    }
}
