package dev.runnel.testkit;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.Fragment;
import dev.runnel.RenderException;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.SseHandler;
import dev.runnel.TracePhase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle of spec section 3, as seen by a client over real loopback HTTP/1.1. Every transport
 * adapter runs this suite by extending it and saying how to serve one SSE route; nothing here knows
 * which server carries the stream.
 */
public abstract class SseLifecycleContract {

    /** A server started for one test, serving one SSE route. */
    public interface TestServer extends AutoCloseable {
        /** The SSE route's URI, plus {@code query} when not empty. */
        URI uri(String query);

        @Override
        void close();
    }

    /** Starts a server on a free loopback port whose only SSE route calls {@code handler} through {@code engine}. */
    protected abstract TestServer start(SseEngine engine, SseHandler handler) throws Exception;

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<TestServer> servers = new ArrayList<>();
    private final List<RawSseClient> clients = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        for (TestServer s : servers) {
            s.close();
        }
    }

    private URI serve(SseEngine engine, SseHandler handler, String query) throws Exception {
        TestServer server = start(engine, handler);
        servers.add(server);
        return server.uri(query);
    }

    private URI serve(SseEngine engine, SseHandler handler) throws Exception {
        return serve(engine, handler, "");
    }

    private RawSseClient open(URI uri, Map<String, String> headers) throws Exception {
        RawSseClient client = RawSseClient.get(uri, headers);
        clients.add(client);
        return client;
    }

    private RawSseClient open(URI uri) throws Exception {
        return open(uri, Map.of());
    }

    private static SseEngine engine() {
        return SseEngine.builder().build();
    }

    // ---- response start -------------------------------------------------------------------

    @Test
    public void headersAreFlushedBeforeTheFirstEvent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI uri = serve(engine(), req -> EventStream.producer(out -> {
            release.await();
            out.emit("late");
        }));
        RawSseClient client = open(uri); // returns once the head arrived, while the producer still waits
        assertThat(client.status()).isEqualTo(200);
        assertThat(client.text()).isEmpty();
        release.countDown();
        assertThat(client.awaitText("data: late\n\n", WAIT)).isEqualTo("data: late\n\n");
    }

    @Test
    public void sseHeadersAreSentAndNoCorsHeaderByDefault() throws Exception {
        URI uri = serve(engine(), req -> EventStream.of("x"));
        RawSseClient client = open(uri);
        assertThat(client.header("Content-Type")).isEqualTo("text/event-stream");
        assertThat(client.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(client.header("Connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(client.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(client.headers()).doesNotContainKey("access-control-allow-origin");
    }

    @Test
    public void explicitOriginIsAllowedWithVaryOrigin() throws Exception {
        URI uri = serve(engine(), req -> EventStream.of("x").allowOrigin("https://app.example"));
        RawSseClient client = open(uri, Map.of("Origin", "https://app.example"));
        assertThat(client.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(client.header("Vary")).containsIgnoringCase("Origin");
    }

    @Test
    public void extraHeadersAreSentWithTheSseHeaders() throws Exception {
        URI uri = serve(engine(), req -> EventStream.of("x").header("X-Stream", "ticks"));
        RawSseClient client = open(uri);
        assertThat(client.header("X-Stream")).isEqualTo("ticks");
        assertThat(client.header("Content-Type")).isEqualTo("text/event-stream");
    }

    @Test
    public void acceptThatExcludesEventStreamGets406() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        URI uri = serve(engine(), req -> {
            opened.incrementAndGet();
            return EventStream.of("x");
        });
        RawSseClient client = open(uri, Map.of("Accept", "application/json"));
        assertThat(client.status()).isEqualTo(406);
        assertThat(opened).hasValue(0);
    }

    @Test
    public void wildcardAcceptIsServed() throws Exception {
        URI uri = serve(engine(), req -> EventStream.of("x"));
        assertThat(open(uri, Map.of("Accept", "*/*")).status()).isEqualTo(200);
        assertThat(open(uri, Map.of("Accept", "text/html, */*;q=0.1")).status()).isEqualTo(200);
    }

    @Test
    public void badRequestFromTheHandlerIs400WithOneLine() throws Exception {
        URI uri = serve(engine(), req -> {
            throw new BadRequestException("count must be from 1 to 10, got 99");
        });
        RawSseClient client = open(uri);
        assertThat(client.status()).isEqualTo(400);
        assertThat(client.readToEnd(WAIT)).isEqualTo("count must be from 1 to 10, got 99\n");
    }

    // ---- retry, events, heartbeat ------------------------------------------------------------

    @Test
    public void retryMetaEventComesFirst() throws Exception {
        URI uri = serve(SseEngine.builder().retry(Duration.ofMillis(2500)).build(), req -> EventStream.of("a"));
        String body = open(uri).readToEnd(WAIT);
        assertThat(body).startsWith("event: runnel:meta\nretry: 2500\ndata: retry\n\n");
        assertThat(body).endsWith("data: a\n\n");
    }

    @Test
    public void everyKindOfValueIsFormatted() throws Exception {
        SseEngine engine = SseEngine.builder()
                .renderer(f -> "  <b>" + f.context().get("n") + "</b>\n")
                .json(value -> "{\"json\":true}")
                .build();
        record Point(int x, int y) {
        }
        URI uri = serve(engine, req -> EventStream.of(
                SseEvent.of("line 1\nline 2").withId("7"),
                "text",
                Fragment.of("page", "count", Map.of("n", 3), "counter"),
                Fragment.of("page", "count", Map.of("n", 4)),
                Map.of("k", 1),
                new Point(1, 2),
                42).defaultEvent("update"));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo(
                "id: 7\ndata: line 1\ndata: line 2\n\n"
                        + "event: update\ndata: text\n\n"
                        + "event: counter\ndata: <b>3</b>\n\n"
                        + "event: update\ndata: <b>4</b>\n\n"
                        + "event: update\ndata: {\"json\":true}\n\n"
                        + "event: update\ndata: {\"json\":true}\n\n"
                        + "event: update\ndata: 42\n\n");
    }

    @Test
    public void heartbeatIsSentWhenProducerIsIdleAndThePendingValueSurvives() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        URI uri = serve(engine(), req -> EventStream.producer(out -> {
            Thread.sleep(2600); // two heartbeats pass while this value is being produced
            produced.incrementAndGet();
            out.emit("slow value");
        }).heartbeat(Duration.ofSeconds(1)));
        String body = open(uri).readToEnd(WAIT);
        assertThat(body).isEqualTo(": heartbeat\n\n: heartbeat\n\ndata: slow value\n\n");
        assertThat(produced).hasValue(1);
    }

    // ---- error boundary --------------------------------------------------------------------

    @Test
    public void renderErrorInProductionSendsAGenericErrorAndTheStreamGoesOn() throws Exception {
        SseEngine engine = SseEngine.builder().renderer(f -> {
            throw new RenderException("template <page> has no block 'missing'");
        }).build();
        URI uri = serve(engine, req -> EventStream.of("one", Fragment.of("page", "missing", Map.of(), "panel"), "three"));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo(
                "data: one\n\nevent: error\ndata: Event rendering failed\n\ndata: three\n\n");
    }

    @Test
    public void renderErrorInDebugShowsTheEscapedBlockErrorUnderTheTarget() throws Exception {
        SseEngine engine = SseEngine.builder().debug(true).renderer(f -> {
            throw new RenderException("template <page> has no block \"missing\" & more");
        }).build();
        URI uri = serve(engine, req -> EventStream.of(Fragment.of("page", "missing", Map.of(), "panel"), "after"));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo(
                "event: panel\ndata: <div class=\"runnel-block-error\" data-block=\"missing\"><strong>RenderException</strong>: "
                        + "template &lt;page&gt; has no block &quot;missing&quot; &amp; more</div>\n\n"
                        + "data: after\n\n");
    }

    @Test
    public void renderErrorInDebugForAnUntargetedValueIsAnErrorEventWithTypeAndMessage() throws Exception {
        SseEngine engine = SseEngine.builder().debug(true).build(); // no JSON codec configured
        URI uri = serve(engine, req -> EventStream.of(Map.of("a", 1), "after"));
        String body = open(uri).readToEnd(WAIT);
        assertThat(body).startsWith("event: error\ndata: RenderException: cannot send a ");
        assertThat(body).contains("no JsonCodec is configured");
        assertThat(body).endsWith("data: after\n\n");
    }

    @Test
    public void producerErrorInProductionSendsInternalServerErrorAfterEarlierEvents() throws Exception {
        URI uri = serve(SseEngine.builder().closeEvent("done").build(), req -> EventStream.producer(out -> {
            out.emit("one");
            out.emit("two");
            throw new IllegalStateException("database went away");
        }));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo(
                "data: one\n\ndata: two\n\nevent: error\ndata: Internal server error\n\nevent: done\ndata: complete\n\n");
    }

    @Test
    public void producerErrorInDebugCarriesTheStackTrace() throws Exception {
        URI uri = serve(SseEngine.builder().debug(true).build(), req -> EventStream.producer(out -> {
            out.emit("one");
            throw new IllegalStateException("database went away");
        }));
        String body = open(uri).readToEnd(WAIT);
        assertThat(body).startsWith("data: one\n\nevent: error\ndata: java.lang.IllegalStateException: database went away\ndata: \tat ");
    }

    @Test
    public void producerEndingWithAClientDisconnectErrorIsBenign() throws Exception {
        List<TracePhase> phases = Collections.synchronizedList(new ArrayList<>());
        SseEngine engine = SseEngine.builder().trace((id, phase, payload) -> phases.add(phase)).build();
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            out.emit("one");
            throw new java.io.IOException("Broken pipe");
        }));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo("data: one\n\n");
        awaitPhase(phases, TracePhase.CLOSED);
        assertThat(phases).contains(TracePhase.CLIENT_DISCONNECT).doesNotContain(TracePhase.PRODUCER_ERROR);
    }

    // ---- end of stream ---------------------------------------------------------------------

    @Test
    public void closeEventEndsAFiniteStream() throws Exception {
        URI uri = serve(SseEngine.builder().closeEvent("done").build(), req -> EventStream.of("a", "b"));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo("data: a\n\ndata: b\n\nevent: done\ndata: complete\n\n");
    }

    @Test
    public void iteratorAndJavaStreamSourcesAreClosedExactlyOnce() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        URI uri = serve(engine(), req -> EventStream.of(Stream.of("a", "b").onClose(closed::incrementAndGet)));
        assertThat(open(uri).readToEnd(WAIT)).isEqualTo("data: a\n\ndata: b\n\n");
        awaitCount(closed, 1);
        assertThat(closed).hasValue(1);
    }

    @Test
    public void publisherItemsAreStreamedInOrder() throws Exception {
        URI uri = serve(engine(), req -> {
            SubmissionPublisher<String> publisher = new SubmissionPublisher<>();
            Thread.ofVirtual().start(() -> {
                // a SubmissionPublisher drops what is submitted before anyone subscribed
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (publisher.getNumberOfSubscribers() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                for (int i = 1; i <= 500; i++) {
                    publisher.submit("p" + i);
                }
                publisher.close();
            });
            return EventStream.from(publisher);
        });
        String body = open(uri).readToEnd(WAIT);
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 500; i++) {
            expected.append("data: p").append(i).append("\n\n");
        }
        assertThat(body).isEqualTo(expected.toString());
    }

    @Test
    public void publisherSubscriptionIsCancelledWhenTheClientLeaves() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        URI uri = serve(engine(), req -> EventStream.from((Flow.Publisher<String>) subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            boolean sent;

            @Override
            public void request(long n) {
                if (!sent) {
                    sent = true;
                    subscriber.onNext("first");
                }
            }

            @Override
            public void cancel() {
                cancelled.countDown();
            }
        })).heartbeat(Duration.ofSeconds(60)));
        RawSseClient client = open(uri);
        client.awaitText("data: first\n\n", WAIT);
        client.close();
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).as("subscription cancelled within 5 s").isTrue();
    }

    // ---- disconnect ------------------------------------------------------------------------

    @Test
    public void clientDisconnectCancelsABlockedProducerLongBeforeTheNextHeartbeat() throws Exception {
        assertDisconnectCancelsProducer(false);
    }

    @Test
    public void clientResetCancelsABlockedProducerLongBeforeTheNextHeartbeat() throws Exception {
        assertDisconnectCancelsProducer(true);
    }

    private void assertDisconnectCancelsProducer(boolean reset) throws Exception {
        AtomicInteger cleanups = new AtomicInteger();
        CountDownLatch cleaned = new CountDownLatch(1);
        List<TracePhase> phases = Collections.synchronizedList(new ArrayList<>());
        SseEngine engine = SseEngine.builder().closeEvent("done").trace((id, phase, payload) -> phases.add(phase)).build();
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1)); // blocked in the application's own code
            } finally {
                cleanups.incrementAndGet();
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        RawSseClient client = open(uri);
        client.awaitText("data: hello\n\n", WAIT);
        long closedAt = System.nanoTime();
        if (reset) {
            client.reset();
        } else {
            client.close();
        }
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).as("producer's finally ran within 5 s of the client leaving").isTrue();
        long millis = (System.nanoTime() - closedAt) / 1_000_000;
        System.out.printf("[figure] %s: producer cancelled %d ms after the client %s%n",
                getClass().getSimpleName(), millis, reset ? "reset the connection" : "closed the connection");
        awaitPhase(phases, TracePhase.CLOSED);
        assertThat(cleanups).hasValue(1);
        assertThat(phases).contains(TracePhase.DISCONNECT, TracePhase.CANCELLED).doesNotContain(TracePhase.CLOSE_EVENT);
    }

    @Test
    public void thousandConnectDisconnectCyclesLeaveNoThreadsBehind() throws Exception {
        SseEngine engine = engine();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger cleaned = new AtomicInteger();
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            started.incrementAndGet();
            try {
                out.emit("hi");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.incrementAndGet();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        int cycles = 1000;
        for (int i = 0; i < cycles; i++) {
            try (RawSseClient client = RawSseClient.get(uri)) {
                client.awaitText("data: hi\n\n", WAIT);
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((engine.openStreams() > 0 || cleaned.get() < cycles) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(started).hasValue(cycles);
        assertThat(cleaned).hasValue(cycles);
        assertThat(engine.openStreams()).isZero();
        assertThat(LiveThreads.named("runnel-producer-")).isZero();
    }

    // ---- tracing and context -------------------------------------------------------------

    @Test
    public void tracePhasesArriveInOrder() throws Exception {
        List<String> phases = Collections.synchronizedList(new ArrayList<>());
        SseEngine engine = SseEngine.builder()
                .retry(Duration.ofSeconds(1))
                .closeEvent("done")
                .renderer(f -> "")
                .trace((id, phase, payload) -> phases.add(phase.wireName()
                        + (phase == TracePhase.EVENT ? ":" + payload.get("type") + ":" + payload.get("lines") : "")))
                .build();
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            Thread.sleep(1300);
            out.emit("two\nlines");
            out.emit(Fragment.of("page", "empty", Map.of()));
            throw new IllegalStateException("boom");
        }).heartbeat(Duration.ofSeconds(1)));
        open(uri).readToEnd(WAIT);
        awaitPhase(phases, "closed");
        assertThat(phases).containsExactly("start", "retry", "heartbeat", "event:String:2", "render_error",
                "event:Fragment:1", "producer_error", "close_event", "closed");
    }

    @Test
    public void requestContextIsVisibleToTheProducerForTheLifeOfTheStream() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        URI uri = serve(engine(), req -> EventStream.producer(out -> {
            Thread.sleep(300); // long after the handler returned
            var ctx = out.context();
            seen.set(ctx.header("X-User").orElse("?") + "|" + ctx.query("room").orElse("?") + "|"
                    + ctx.lastEventId().orElse("?") + "|" + ctx.path());
            out.emit(seen.get());
        }), "room=blue");
        String body = open(uri, Map.of("X-User", "ada", "Last-Event-ID", "41")).readToEnd(WAIT);
        assertThat(seen.get()).startsWith("ada|blue|41|/");
        assertThat(body).isEqualTo("data: " + seen.get() + "\n\n");
    }

    // ---- shutdown -------------------------------------------------------------------------

    @Test
    public void shutdownEndsOpenStreamsRunsCleanupAndSendsNoCloseEvent() throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").shutdownGrace(Duration.ofSeconds(5)).build();
        AtomicInteger cleaned = new AtomicInteger();
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            try {
                out.emit("open");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.incrementAndGet();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        List<RawSseClient> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RawSseClient client = open(uri);
            client.awaitText("data: open\n\n", WAIT);
            streams.add(client);
        }
        long began = System.nanoTime();
        assertThat(engine.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
        assertThat(cleaned).hasValue(20);
        for (RawSseClient client : streams) {
            assertThat(client.readToEnd(WAIT)).isEqualTo("data: open\n\n"); // no "done"
        }
        assertThat(engine.openStreams()).isZero();
        assertThat(open(uri).status()).isEqualTo(503);
    }

    @Test
    public void producerThatIgnoresCancellationIsAbandonedAfterTheGrace() throws Exception {
        SseEngine engine = SseEngine.builder().shutdownGrace(Duration.ofMillis(500)).build();
        CountDownLatch release = new CountDownLatch(1);
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            out.emit("stubborn");
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // a badly written producer: swallows the interrupt and keeps waiting
                }
            }
        }).heartbeat(Duration.ofSeconds(60)));
        RawSseClient client = open(uri);
        client.awaitText("data: stubborn\n\n", WAIT);
        long began = System.nanoTime();
        engine.shutdown(Duration.ofSeconds(5));
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(client.readToEnd(WAIT)).isEqualTo("data: stubborn\n\n");
        assertThat(millis).as("shutdown waited about the 500 ms grace").isBetween(400L, 4000L);
        assertThat(engine.openStreams()).isZero();
        release.countDown();
    }

    @Test
    public void maxStreamAgeEndsTheStreamCleanlyWithoutTheCloseEvent() throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").maxStreamAge(Duration.ofSeconds(1)).build();
        CountDownLatch cleaned = new CountDownLatch(1);
        URI uri = serve(engine, req -> EventStream.producer(out -> {
            try {
                out.emit("a");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        long began = System.nanoTime();
        RawSseClient client = open(uri);
        assertThat(client.readToEnd(WAIT)).isEqualTo("data: a\n\n");
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(millis).as("ended after 0.9 to 1 s, plus slack").isBetween(850L, 4000L);
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).isTrue();
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static <T> void awaitPhase(List<T> phases, T phase) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!phases.contains(phase) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(phases).contains(phase);
    }

    private static void awaitCount(AtomicInteger counter, int value) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (counter.get() < value && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

}
