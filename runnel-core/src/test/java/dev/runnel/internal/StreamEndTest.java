package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.Fragment;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.transport.SseTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Every way a stream ends releases what it took exactly once: its hub subscription, its response and
 * its metrics, even when Runnel's own writer fails; and an event no subscriber's dialect can carry
 * never reaches a writer.
 */
class StreamEndTest {

    private SseEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** A transport that keeps what is written and counts how the response ended. */
    private static final class Recording implements SseTransport {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        final CountDownLatch firstWrite = new CountDownLatch(1);

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
            firstWrite.countDown();
        }

        @Override
        public void complete() {
            completed.incrementAndGet();
        }

        @Override
        public void abort(Throwable cause) {
            aborted.incrementAndGet();
        }

        @Override
        public void onDisconnect(Runnable listener) {
        }

        synchronized String text() {
            return written.toString(UTF_8);
        }
    }

    /** Counts each end the metrics are told about. */
    private static final class Ends implements EngineMetrics {
        final AtomicInteger ended = new AtomicInteger();
        final AtomicReference<EndReason> reason = new AtomicReference<>();
        final boolean failWrites;

        Ends(boolean failWrites) {
            this.failWrites = failWrites;
        }

        @Override
        public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long bytes) {
            ended.incrementAndGet();
            reason.set(why);
        }

        @Override
        public void eventsWritten(int events, long bytes) {
            if (failWrites) {
                // what a metrics backend's own failure cannot do (those are contained): fail the writer inside Runnel
                throw new OutOfMemoryError("writer out of memory");
            }
        }
    }

    private static RequestContext datastarRequest() {
        return new RequestContext("GET", "/sse", null, Map.of(), Map.of("Datastar-Request", List.of("true")), null, null, null, null);
    }

    /** Serves a subscription to {@code topic} on a thread of its own; returns when it is subscribed. */
    private Thread serve(Recording transport, RequestContext request, String topic) throws InterruptedException {
        Hub hub = engine.hub();
        Thread t = Thread.ofVirtual().start(() -> engine.serve(transport, request, r -> hub.subscribe(r, List.of(topic))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.subscribers(topic) == 0) {
            assertThat(System.nanoTime()).as("subscribed").isLessThan(deadline);
            Thread.sleep(2);
        }
        return t;
    }

    @Test
    void aFragmentWhoseSwapHasNoDatastarNameIsRefusedAtPublishAndTakesNoId() throws Exception {
        engine = SseEngine.builder().renderer(f -> "<p>hi</p>").build();
        Hub hub = engine.hub();
        String before = hub.publish("t", "first").id();

        assertThatIllegalArgumentException()
                .isThrownBy(() -> hub.publish("t", Fragment.of("page", "block", Map.of(), "box").withSwap("sideways")))
                .withMessageContaining("sideways");

        String after = hub.publish("t", "second").id();
        assertThat(Long.parseLong(after.substring(after.lastIndexOf('-') + 1)))
                .as("the refused event took no id")
                .isEqualTo(Long.parseLong(before.substring(before.lastIndexOf('-') + 1)) + 1);
    }

    @Test
    void aDatastarSubscriberOfATopicStaysSubscribedAfterAnUnencodablePublishIsRefused() throws Exception {
        engine = SseEngine.builder().renderer(f -> "<p>hi</p>").build();
        Recording transport = new Recording();
        Thread served = serve(transport, datastarRequest(), "t");
        try {
            engine.hub().publish("t", Fragment.of("page", "block", Map.of(), "box").withSwap("sideways"));
        } catch (IllegalArgumentException expected) {
            // refused: nothing is queued
        }
        engine.hub().publish("t", Fragment.of("page", "block", Map.of(), "box"));

        awaitText(transport, "datastar-patch-elements");
        assertThat(served.isAlive()).as("the stream goes on").isTrue();
        assertThat(engine.hub().subscribers("t")).isEqualTo(1);
    }

    @Test
    void aQueuedEventThatCannotBeEncodedForTheStreamsDialectBecomesAnErrorEventAndTheStreamGoesOn() throws Exception {
        engine = SseEngine.builder().build();
        // made as the log path does, without the check a local publish makes
        HubEvent poison = new HubEvent(1, "e-1", "t", new Prepared.Html("<p>x</p>", "box", "sideways", null), System.nanoTime());
        Recording transport = new Recording();
        Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, datastarRequest(),
                r -> EventStream.of(List.of(poison, "after"))));
        served.join(Duration.ofSeconds(10));

        assertThat(served.isAlive()).isFalse();
        assertThat(transport.text()).contains("event: error").contains("data: after");
        assertThat(transport.text()).doesNotContain("sideways");
        assertThat(transport.completed).hasValue(1);
    }

    @Test
    void aStreamWhoseWriterFailsInsideRunnelLeavesItsTopicsCompletesItsResponseAndIsCountedOnce() throws Exception {
        Ends ends = new Ends(true);
        engine = SseEngine.builder().debug(true).metrics(ends).build();
        Recording transport = new Recording();
        Thread served = serve(transport, RequestContext.of("/sse"), "t");

        engine.hub().publish("t", "hello");
        served.join(Duration.ofSeconds(10));

        assertThat(served.isAlive()).as("serve returned").isFalse();
        assertThat(engine.hub().subscribers("t")).as("the subscription left its topic").isZero();
        assertThat(transport.completed.get() + transport.aborted.get()).as("the response ended once").isEqualTo(1);
        assertThat(ends.ended).as("the end was counted once").hasValue(1);
        assertThat(ends.reason.get()).isEqualTo(EngineMetrics.EndReason.FAILED);
        assertThat(engine.openStreams()).isZero();
    }

    @Test
    void inDebugModeAWriterFailureSendsTheErrorEventWithItsTrace() throws Exception {
        engine = SseEngine.builder().debug(true).metrics(new Ends(true)).build();
        Recording transport = new Recording();
        Thread served = serve(transport, RequestContext.of("/sse"), "t");

        engine.hub().publish("t", "hello");
        served.join(Duration.ofSeconds(10));

        assertThat(transport.text()).contains("event: error").contains("writer out of memory");
    }

    @Test
    void aProducerIsInterruptedWhenRunnelsOwnWriterFails() throws Exception {
        engine = SseEngine.builder().metrics(new Ends(true)).shutdownGrace(Duration.ofSeconds(30)).build();
        CountDownLatch interrupted = new CountDownLatch(1);
        Recording transport = new Recording();
        Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, RequestContext.of("/sse"),
                r -> EventStream.producer(emitter -> {
                    emitter.emit("one");
                    try {
                        Thread.sleep(Duration.ofMinutes(5));
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                })));

        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the producer was stopped, not left running").isTrue();
        served.join(Duration.ofSeconds(10));
        assertThat(served.isAlive()).isFalse();
        assertThat(transport.completed.get() + transport.aborted.get()).isEqualTo(1);
    }

    @Test
    void aMetricsBackendThatThrowsFromEveryCallNeverEndsOrCorruptsAStream() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        EngineMetrics broken = (EngineMetrics) java.lang.reflect.Proxy.newProxyInstance(EngineMetrics.class.getClassLoader(),
                new Class<?>[] {EngineMetrics.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || method.getName().equals("bind")) { // bind: at build, loud on purpose
                        return method.getName().equals("hashCode") ? 0 : method.getName().equals("equals") ? proxy == args[0]
                                : method.getName().equals("toString") ? "broken" : null;
                    }
                    calls.incrementAndGet();
                    throw new IllegalStateException("metrics backend down: " + method.getName());
                });
        engine = SseEngine.builder().metrics(broken).build();
        Recording transport = new Recording();
        Thread served = serve(transport, RequestContext.of("/sse"), "t");

        engine.hub().publish("t", "one");
        engine.hub().publish("t", "two");
        awaitText(transport, "data: two");

        assertThat(served.isAlive()).as("the stream goes on").isTrue();
        assertThat(transport.text()).doesNotContain("event: error");
        assertThat(calls).as("the backend was called, and threw").hasPositiveValue();
        engine.close();
        served.join(Duration.ofSeconds(10));
        assertThat(served.isAlive()).isFalse();
        assertThat(transport.completed.get() + transport.aborted.get()).as("the response ended once").isEqualTo(1);
    }

    @Test
    void producerErrorWithoutACauseIsTheGenericEventInEitherMode() {
        assertThat(ErrorEvents.producerError(null, true).data()).isEqualTo(ErrorEvents.INTERNAL_ERROR);
        assertThat(ErrorEvents.producerError(null, false).data()).isEqualTo(ErrorEvents.INTERNAL_ERROR);
    }

    @Test
    void aResumingSubscriberWhoseReplayHoldsAFailingEventIsNotLeftSubscribedWhenItsStreamEnds() throws Exception {
        Ends ends = new Ends(true);
        engine = SseEngine.builder().metrics(ends).build();
        String id = engine.hub().publish("t", "one").id();
        engine.hub().publish("t", "two");
        for (int round = 0; round < 3; round++) {
            Recording transport = new Recording();
            RequestContext resume = new RequestContext("GET", "/sse", null, Map.of(),
                    Map.of("Last-Event-ID", List.of(id)), null, null, null, null);
            Thread served = Thread.ofVirtual().start(() -> engine.serve(transport, resume,
                    r -> engine.hub().subscribe(r, List.of("t"))));
            served.join(Duration.ofSeconds(10));
            assertThat(served.isAlive()).isFalse();
        }
        assertThat(engine.hub().subscribers("t")).as("no subscriber leaked by the reconnects").isZero();
        assertThat(ends.ended).hasValue(3);
    }

    private static void awaitText(Recording transport, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!transport.text().contains(wanted)) {
            assertThat(System.nanoTime()).as("waiting for " + wanted + " in " + transport.text()).isLessThan(deadline);
            Thread.sleep(2);
        }
    }
}
