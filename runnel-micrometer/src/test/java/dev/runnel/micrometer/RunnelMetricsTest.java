package dev.runnel.micrometer;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.Fragment;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.hub.HubOptions;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.transport.SseTransport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

/**
 * The meters move as the streams go: one test per end reason, refusal and error, over real loopback
 * connections to the embedded server (send failures, which a real client cannot produce on demand,
 * through a transport whose write fails).
 */
class RunnelMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    // the tests provoke producer errors, render errors and refusals on purpose
    private static final Logger QUIET = quiet();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<RunnelServer> servers = new ArrayList<>();
    private final List<RawSseClient> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RawSseClient c : clients) {
            c.close();
        }
        servers.forEach(RunnelServer::stop);
    }

    // ---- end reasons ---------------------------------------------------------------------------

    @Test
    void failedHubHandOffsAreCountedFromZero() {
        RunnelMetrics metrics = new RunnelMetrics(registry);
        assertThat(counter("runnel.hub.handoffs.failed")).as("there from the start, for alerts").isZero();

        metrics.handOffsFailed(1);
        metrics.handOffsFailed(3);

        assertThat(counter("runnel.hub.handoffs.failed")).isEqualTo(4);
    }

    @Test
    void aStreamThatEndsByItselfCountsAsCompletedWithItsEventsAndBytes() throws Exception {
        RunnelServer server = serve(b -> b.closeEvent("done"));
        open(server, "/ticks?count=3").readToEnd(WAIT);

        awaitEnded("completed");
        assertThat(ended()).containsExactly(entry("completed", 1.0));
        assertThat(counter("runnel.events.written")).isEqualTo(3);
        long ticks = 0;
        for (int i = 1; i <= 3; i++) {
            ticks += SseEvent.of("tick " + i).encode().length;
        }
        assertThat(counter("runnel.bytes.written")).as("the close event is not an event of the stream").isEqualTo(ticks);
        assertThat(gauge("runnel.streams.open", "route", "/ticks")).isZero();
        assertThat(timer("runnel.streams.duration", "route", "/ticks").count()).isEqualTo(1);
    }

    @Test
    void openStreamsAreCountedByRoute() throws Exception {
        RunnelServer server = serve(b -> b);
        RawSseClient a = open(server, "/rooms/a");
        open(server, "/rooms/b").awaitText(":", WAIT);
        a.awaitText(":", WAIT);
        assertThat(gauge("runnel.streams.open", "route", "/rooms/{room}")).isEqualTo(2);

        a.close();
        await(() -> gauge("runnel.streams.open", "route", "/rooms/{room}") == 1, "one room stream left");
    }

    @Test
    void aClientThatLeavesEndsAsClientClosed() throws Exception {
        RunnelServer server = serve(b -> b);
        RawSseClient client = open(server, "/rooms/a");
        client.awaitText(":", WAIT);
        client.close();

        awaitEnded("client_closed");
        assertThat(ended()).containsExactly(entry("client_closed", 1.0));
    }

    @Test
    void aProducerThatThrowsIsCountedAndEndsAsFailed() throws Exception {
        RunnelServer server = serve(b -> b);
        open(server, "/fail").readToEnd(WAIT);

        awaitEnded("failed");
        assertThat(ended()).containsExactly(entry("failed", 1.0));
        assertThat(counter("runnel.producer.errors")).isEqualTo(1);
        assertThat(counter("runnel.events.written")).as("the event before the failure").isEqualTo(1);
    }

    @Test
    void aValueThatFailsToRenderIsCountedAndTheStreamGoesOn() throws Exception {
        RunnelServer server = serve(b -> b);
        open(server, "/unrenderable").readToEnd(WAIT);

        awaitEnded("completed");
        assertThat(counter("runnel.render.errors")).isEqualTo(1);
        assertThat(counter("runnel.events.written")).as("the error event and the value after it").isEqualTo(2);
        assertThat(counter("runnel.producer.errors")).isZero();
    }

    @Test
    void heartbeatsAreCounted() throws Exception {
        RunnelServer server = serve(b -> b);
        open(server, "/beat").awaitText(": heartbeat", WAIT);

        await(() -> counter("runnel.heartbeats") >= 1, "a heartbeat counted");
    }

    @Test
    void aClientThatStopsReadingEndsAsWriteTimeout() throws Exception {
        RunnelServer server = serve(b -> b, Duration.ofSeconds(1));
        open(server, "/flood"); // never read: the socket buffers fill and a write blocks past the timeout

        awaitEnded("write_timeout");
        assertThat(ended()).containsExactly(entry("write_timeout", 1.0));
    }

    @Test
    void aSubscriberThatFallsBehindEndsAsSlowClient() throws Exception {
        RunnelServer server = serve(b -> b.hub(HubOptions.DEFAULTS.withQueueLimits(16, 64 * 1024)));
        SseEngine engine = server.engine();
        open(server, "/t/firehose"); // never read
        await(() -> engine.hub().subscribers("firehose") == 1, "subscribed");
        String payload = "x".repeat(8192);
        for (int i = 0; i < 20_000 && engine.hub().subscribers("firehose") == 1; i++) {
            engine.hub().publish("firehose", payload);
        }

        awaitEnded("slow_client");
        assertThat(ended()).containsExactly(entry("slow_client", 1.0));
    }

    @Test
    void streamsEndedByServerShutdownCountAsShutdown() throws Exception {
        RunnelServer server = serve(b -> b);
        open(server, "/rooms/a").awaitText(":", WAIT);
        server.stop();
        awaitEnded("shutdown");
        assertThat(ended()).containsExactly(entry("shutdown", 1.0));
    }

    @Test
    void streamsTheApplicationClosesCountAsClosedByApplication() throws Exception {
        RunnelServer server = serve(b -> b);
        open(server, "/rooms/a").awaitText(":", WAIT);
        assertThat(server.engine().closeStreams(r -> true)).isEqualTo(1);

        awaitEnded("closed_by_application");
        assertThat(ended()).containsExactly(entry("closed_by_application", 1.0));
    }

    @Test
    void streamsThatReachTheMaximumAgeCountAsMaxAge() throws Exception {
        RunnelServer server = serve(b -> b.maxStreamAge(Duration.ofMillis(200)));
        open(server, "/rooms/a").readToEnd(WAIT);

        awaitEnded("max_age");
        assertThat(ended()).containsExactly(entry("max_age", 1.0));
    }

    @Test
    void aWriteThatFailsWithoutTimingOutEndsAsSendFailed() {
        SseEngine engine = SseEngine.builder().metrics(new RunnelMetrics(registry)).build();
        engine.serve(new FailingTransport(), RequestContext.of("/x"), r -> EventStream.of("a"));

        assertThat(ended()).containsExactly(entry("send_failed", 1.0));
        assertThat(counter("runnel.events.written")).isZero();
    }

    // ---- refusals ------------------------------------------------------------------------------

    @Test
    void refusedRequestsAreCountedByReason() throws Exception {
        RunnelServer server = serve(b -> b);
        assertThat(status(server, "/ticks", Map.of("Accept", "application/json"))).isEqualTo(406);
        assertThat(status(server, "/bad", Map.of())).isEqualTo(400);
        assertThat(status(server, "/forbidden", Map.of())).isEqualTo(403);
        assertThat(status(server, "/broken-handler", Map.of())).isEqualTo(500);
        try (RawSseClient hubDown = RawSseClient.get(URI.create(server.uri() + "/hub-down"), Map.of())) {
            assertThat(hubDown.status()).isEqualTo(503);
            assertThat(hubDown.header("Retry-After")).isEqualTo("1");
        }

        assertThat(refused()).containsExactly(entry("bad_request", 1.0), entry("forbidden", 1.0),
                entry("handler_error", 1.0), entry("hub_unavailable", 1.0), entry("not_acceptable", 1.0));
        assertThat(ended()).as("no stream was opened").isEmpty();
    }

    @Test
    void requestsWhileTheEngineStopsAreRefusedAsShuttingDown() throws Exception {
        RunnelServer server = serve(b -> b);
        server.engine().shutdown(Duration.ZERO); // the engine refuses; Jetty still answers

        assertThat(status(server, "/ticks", Map.of())).isEqualTo(503);
        assertThat(refused()).containsExactly(entry("shutting_down", 1.0));
    }

    // ---- hub -----------------------------------------------------------------------------------

    @Test
    void publishToWriteIsTimedForLiveEventsAndReplaysAreCounted() throws Exception {
        RunnelServer server = serve(b -> b);
        SseEngine engine = server.engine();
        String first = engine.hub().publish("news", "old 1").id();
        engine.hub().publish("news", "old 2");
        RawSseClient client = open(server, "/t/news", Map.of("Last-Event-ID", first));
        await(() -> engine.hub().subscribers("news") == 1, "subscribed");
        for (int i = 1; i <= 3; i++) {
            engine.hub().publish("news", "live " + i);
        }
        client.awaitEvents(4, WAIT);

        await(() -> timer("runnel.publish.latency").count() == 3, "three live events timed");
        assertThat(timer("runnel.publish.latency").max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(counter("runnel.replays")).isEqualTo(1);
        assertThat(counter("runnel.replay.events")).isEqualTo(1);
    }

    @Test
    void lastEventIdsThatCannotBeResumedAreCountedAsResetsByReason() throws Exception {
        RunnelServer server = serve(b -> b);
        open(server, "/t/news", Map.of("Last-Event-ID", "not an id")).awaitEvents(1, WAIT);
        open(server, "/t/news", Map.of("Last-Event-ID", "zz9-5")).awaitEvents(1, WAIT);

        assertThat(counter("runnel.resets", "reason", "malformed")).isEqualTo(1);
        assertThat(counter("runnel.resets", "reason", "unknown")).isEqualTo(1);
        assertThat(counter("runnel.resets", "reason", "expired")).isZero();
        assertThat(counter("runnel.replays")).isZero();
    }

    @Test
    void subscribersAreCountedByTopicAndATopicsGaugeGoesWithItsLastSubscriber() throws Exception {
        RunnelServer server = serve(b -> b);
        SseEngine engine = server.engine();
        RawSseClient news = open(server, "/t/news");
        RawSseClient both = open(server, "/t/news,alerts");
        await(() -> engine.hub().subscribers("news") == 2 && engine.hub().subscribers("alerts") == 1, "subscribed");
        await(() -> gauge("runnel.hub.subscribers", "topic", "news") == 2, "news counted");
        assertThat(gauge("runnel.hub.subscribers", "topic", "alerts")).isEqualTo(1);

        both.close();
        await(() -> gauge("runnel.hub.subscribers", "topic", "news") == 1, "one news subscriber left");
        assertThat(registry.find("runnel.hub.subscribers").tag("topic", "alerts").gauge()).isNull();
        news.close();
        await(() -> registry.find("runnel.hub.subscribers").gauges().isEmpty(), "no topic gauges left");
    }

    @Test
    void queueGaugesShowWhatWaitsForAClientThatDoesNotRead() throws Exception {
        RunnelServer server = serve(b -> b.hub(HubOptions.DEFAULTS.withQueueLimits(10_000, 256L << 20)));
        SseEngine engine = server.engine();
        RawSseClient stalled = open(server, "/t/bulk"); // never read
        await(() -> engine.hub().subscribers("bulk") == 1, "subscribed");
        // 25 MB: more than the socket buffers on both ends hold, so the rest waits in the queue
        String payload = "x".repeat(64 * 1024);
        for (int i = 0; i < 400; i++) {
            engine.hub().publish("bulk", payload);
        }
        await(() -> gauge("runnel.queue.bytes") > 0 && gauge("runnel.queue.events") > 0, "events waiting in the queue");
        assertThat(gauge("runnel.queue.bytes")).isLessThanOrEqualTo(400.0 * SseEvent.of(payload).encode().length);

        stalled.reset();
        await(() -> gauge("runnel.queue.events") == 0 && gauge("runnel.queue.bytes") == 0, "the queue emptied with its stream");
    }

    // ---- installation --------------------------------------------------------------------------

    @Test
    void oneInstanceReportsOneEngine() {
        RunnelMetrics metrics = new RunnelMetrics(registry);
        SseEngine.builder().metrics(metrics).build();
        assertThatIllegalStateException().isThrownBy(() -> SseEngine.builder().metrics(metrics).build())
                .withMessageContaining("one per engine");
    }

    // ---- fixture -------------------------------------------------------------------------------

    private RunnelServer serve(UnaryOperator<SseEngine.Builder> engineSettings) {
        return serve(engineSettings, Duration.ofSeconds(30));
    }

    /** A server with one route per behaviour, its engine reporting to {@link #registry}. */
    private RunnelServer serve(UnaryOperator<SseEngine.Builder> engineSettings, Duration writeTimeout) {
        SseEngine engine = engineSettings.apply(SseEngine.builder().metrics(new RunnelMetrics(registry))).build();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).writeTimeout(writeTimeout).build();
        Duration quiet = Duration.ofSeconds(60);
        server.sse("/ticks", req -> {
            int count = req.queryInt("count", 3, 1, 100);
            List<SseEvent> ticks = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                ticks.add(SseEvent.of("tick " + i));
            }
            return EventStream.of(ticks);
        });
        // a comment first, so a client knows the stream is open
        server.sse("/rooms/{room}", req -> EventStream.producer(out -> Thread.sleep(Long.MAX_VALUE))
                .heartbeat(quiet).retry(Duration.ofSeconds(1)).header("X-Room", req.pathParam("room")));
        server.sse("/beat", req -> EventStream.producer(out -> Thread.sleep(Long.MAX_VALUE)).heartbeat(Duration.ofSeconds(1)));
        server.sse("/fail", req -> EventStream.producer(out -> {
            out.emit("before");
            throw new IllegalStateException("failing on purpose");
        }));
        server.sse("/unrenderable", req -> EventStream.of(Fragment.of("page", "block", Map.of()), "after"));
        server.sse("/flood", req -> EventStream.producer(out -> {
            String chunk = "x".repeat(64 * 1024);
            while (true) {
                out.emit(chunk);
            }
        }).heartbeat(quiet));
        server.sse("/t/{topics}", req -> engine.hub().subscribe(req, Arrays.asList(req.pathParam("topics").split(",", -1)))
                .heartbeat(quiet));
        server.sse("/bad", req -> {
            throw new BadRequestException("bad on purpose");
        });
        server.sse("/forbidden", req -> {
            throw new ForbiddenException("forbidden on purpose");
        });
        server.sse("/hub-down", req -> {
            throw new dev.runnel.hub.HubUnavailableException("Redis at 127.0.0.1:1 is not reachable, on purpose");
        });
        server.sse("/broken-handler", req -> {
            throw new IllegalStateException("handler broken on purpose");
        });
        server.start();
        servers.add(server);
        return server;
    }

    private RawSseClient open(RunnelServer server, String path) throws IOException {
        return open(server, path, Map.of());
    }

    private RawSseClient open(RunnelServer server, String path, Map<String, String> headers) throws IOException {
        RawSseClient client = RawSseClient.get(URI.create(server.uri() + path), headers);
        clients.add(client);
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    private static int status(RunnelServer server, String path, Map<String, String> headers) throws IOException {
        try (RawSseClient client = RawSseClient.get(URI.create(server.uri() + path), headers)) {
            return client.status();
        }
    }

    /** The non-zero {@code runnel.streams.ended} counters by reason. */
    private Map<String, Double> ended() {
        return byReason("runnel.streams.ended");
    }

    /** The non-zero {@code runnel.streams.refused} counters by reason. */
    private Map<String, Double> refused() {
        return byReason("runnel.streams.refused");
    }

    private Map<String, Double> byReason(String name) {
        Map<String, Double> counts = new TreeMap<>();
        for (Counter c : registry.find(name).counters()) {
            if (c.count() > 0) {
                counts.put(c.getId().getTag("reason"), c.count());
            }
        }
        return counts;
    }

    private void awaitEnded(String reason) throws InterruptedException {
        try {
            await(() -> counter("runnel.streams.ended", "reason", reason) >= 1, "a stream ended as " + reason);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; ended so far: " + ended() + ", refused: " + refused(), e);
        }
    }

    private double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private double gauge(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        assertThat(g).as("gauge " + name + " " + Arrays.toString(tags)).isNotNull();
        return g.value();
    }

    private Timer timer(String name, String... tags) {
        Timer t = registry.find(name).tags(tags).timer();
        assertThat(t).as("timer " + name + " " + Arrays.toString(tags)).isNotNull();
        return t;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        dev.runnel.testkit.Await.until(condition, what, WAIT);
    }

    private static Logger quiet() {
        Logger logger = Logger.getLogger("dev.runnel");
        logger.setLevel(Level.OFF);
        return logger;
    }

    /** A response whose every write fails as a reset connection would. */
    private static final class FailingTransport implements SseTransport {
        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int status, Map<String, String> headers) {
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            throw new IOException("connection reset by peer");
        }

        @Override
        public void complete() {
        }

        @Override
        public void abort(Throwable cause) {
        }

        @Override
        public void onDisconnect(Runnable listener) {
        }
    }
}
