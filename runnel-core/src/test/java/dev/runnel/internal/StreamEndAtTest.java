package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.transport.SseTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream given an end time ({@code StreamOptions.endAt}, what a token's expiry asks for) ends
 * then, cleanly and once; a stream told not to send the retry meta event sends none, even on an
 * engine that sends one to every other stream.
 */
class StreamEndAtTest {

    private SseEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static final class Recording implements SseTransport {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final AtomicInteger completed = new AtomicInteger();

        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int status, Map<String, String> headers) {
        }

        @Override
        public synchronized void write(ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            written.writeBytes(b);
        }

        @Override
        public void complete() {
            completed.incrementAndGet();
        }

        @Override
        public void abort(Throwable cause) {
        }

        @Override
        public void onDisconnect(Runnable listener) {
        }

        synchronized String text() {
            return written.toString(UTF_8);
        }
    }

    private static final class Ends implements EngineMetrics {
        final AtomicInteger ended = new AtomicInteger();
        final AtomicReference<EndReason> reason = new AtomicReference<>();

        @Override
        public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long bytes) {
            ended.incrementAndGet();
            reason.set(why);
        }
    }

    @Test
    void aSubscriptionWithAnEndTimeEndsThenOnceAndLeavesItsTopic() throws Exception {
        Ends ends = new Ends();
        engine = SseEngine.builder().metrics(ends).build();
        Recording transport = new Recording();
        Instant endAt = Instant.now().plusMillis(600);
        Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, RequestContext.of("/sse"),
                r -> engine.hub().subscribe(r, List.of("t")).withOptions(
                        dev.runnel.StreamOptions.DEFAULTS.withEndAt(endAt))));
        served.join(Duration.ofSeconds(10));

        assertThat(served.isAlive()).as("the stream ended by itself").isFalse();
        assertThat(Instant.now()).isAfterOrEqualTo(endAt);
        assertThat(transport.completed).hasValue(1);
        assertThat(ends.ended).hasValue(1);
        assertThat(ends.reason.get()).isEqualTo(EngineMetrics.EndReason.MAX_AGE);
        assertThat(engine.hub().subscribers("t")).isZero();
    }

    @Test
    void anEndTimeAlreadyPastEndsTheStreamAtOnce() throws Exception {
        engine = SseEngine.builder().build();
        Recording transport = new Recording();
        Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, RequestContext.of("/sse"),
                r -> engine.hub().subscribe(r, List.of("t")).withOptions(
                        dev.runnel.StreamOptions.DEFAULTS.withEndAt(Instant.now().minusSeconds(5)))));
        served.join(Duration.ofSeconds(10));

        assertThat(served.isAlive()).isFalse();
        assertThat(transport.completed).hasValue(1);
    }

    @Test
    void aStreamWithoutRetryEventSendsNoMetaEventOnAnEngineThatSendsOne() throws Exception {
        engine = SseEngine.builder().retry(Duration.ofSeconds(3)).build();
        Recording plain = new Recording();
        Recording quiet = new Recording();
        Instant soon = Instant.now().plusMillis(300);
        Thread a = Thread.ofVirtual().start(() -> engine.serve(plain, RequestContext.of("/sse"),
                r -> engine.hub().subscribe(r, List.of("t")).withOptions(
                        dev.runnel.StreamOptions.DEFAULTS.withEndAt(soon))));
        Thread b = Thread.ofVirtual().start(() -> engine.serve(quiet, RequestContext.of("/sse"),
                r -> engine.hub().subscribe(r, List.of("t")).withOptions(
                        dev.runnel.StreamOptions.DEFAULTS.withEndAt(soon).withoutRetryEvent())));
        a.join(Duration.ofSeconds(10));
        b.join(Duration.ofSeconds(10));

        assertThat(plain.text()).contains("retry: 3000");
        assertThat(quiet.text()).doesNotContain("retry").doesNotContain("runnel:meta");
    }

    @Test
    void endActionsRunOnceAfterTheStreamEndedAndOneThatThrowsDoesNotStopTheOthers() throws Exception {
        engine = SseEngine.builder().build();
        Recording transport = new Recording();
        AtomicInteger first = new AtomicInteger();
        AtomicInteger last = new AtomicInteger();
        AtomicInteger completedWhenRun = new AtomicInteger(-1);
        Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, RequestContext.of("/sse"),
                r -> engine.hub().subscribe(r, dev.runnel.hub.SubscribeRequest.topics(List.of("t"), null))
                        .whenEnded(() -> {
                            first.incrementAndGet();
                            completedWhenRun.set(transport.completed.get());
                        })
                        .whenEnded(() -> {
                            throw new IllegalStateException("broken end action");
                        })
                        .whenEnded(last::incrementAndGet)
                        .withOptions(dev.runnel.StreamOptions.DEFAULTS.withEndAt(Instant.now().plusMillis(200)))));
        served.join(Duration.ofSeconds(10));

        assertThat(served.isAlive()).isFalse();
        assertThat(first).hasValue(1);
        assertThat(last).as("runs after one that threw").hasValue(1);
        assertThat(completedWhenRun).as("the response was complete first").hasValue(1);
    }

    @Test
    void endActionsRunWhenTheEngineClosesTheStream() throws Exception {
        engine = SseEngine.builder().build();
        Recording transport = new Recording();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, RequestContext.of("/sse"),
                r -> engine.hub().subscribe(r, dev.runnel.hub.SubscribeRequest.topics(List.of("t"), null)).whenEnded(ended::countDown)));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engine.hub().subscribers("t") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(ended.getCount()).isEqualTo(1);
        engine.closeStreams(r -> true);

        assertThat(ended.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        served.join(Duration.ofSeconds(10));
    }
}
