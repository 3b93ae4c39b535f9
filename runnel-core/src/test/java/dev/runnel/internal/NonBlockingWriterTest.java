package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.transport.SseTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hub subscription on a transport with non-blocking writes: served by the engine's write loops
 * without a thread of its own, in order and coalesced, and ended exactly once whatever its transport
 * does (a write that throws, never completes, completes twice or on another thread) without harm to
 * the other connections the same loop serves.
 */
class NonBlockingWriterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private SseEngine engine;
    private final Ends ends = new Ends();

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** What a fake transport does with each asynchronous write. */
    enum Mode { INLINE, OTHER_THREAD, MANUAL, THROWS, TWICE }

    /** A transport with non-blocking writes that keeps what it wrote and how its response ended. */
    static class AsyncTransport implements SseTransport {
        volatile Mode mode;
        final Duration timeout;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<String> asyncWrites = new ArrayList<>();
        final AtomicInteger blockingWrites = new AtomicInteger();
        final AtomicInteger inProgress = new AtomicInteger();
        final AtomicInteger overlapping = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
        volatile Runnable disconnect;

        AsyncTransport(Mode mode, Duration timeout) {
            this.mode = mode;
            this.timeout = timeout;
        }

        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int status, Map<String, String> headers) {
        }

        @Override
        public synchronized void write(ByteBuffer bytes) {
            blockingWrites.incrementAndGet();
            byte[] b = new byte[bytes.remaining()];
            bytes.duplicate().get(b);
            written.writeBytes(b);
        }

        @Override
        public boolean writesAsync() {
            return true;
        }

        @Override
        public Duration writeTimeout() {
            return timeout;
        }

        @Override
        public void writeAsync(ByteBuffer bytes, WriteCallback done) {
            if (inProgress.incrementAndGet() > 1) {
                overlapping.incrementAndGet();
            }
            Mode m = mode;
            if (m == Mode.THROWS) {
                inProgress.decrementAndGet();
                throw new IllegalStateException("this transport's write throws");
            }
            byte[] b = new byte[bytes.remaining()];
            bytes.duplicate().get(b);
            Runnable finish = () -> {
                synchronized (this) {
                    written.writeBytes(b);
                    asyncWrites.add(new String(b, UTF_8));
                }
                inProgress.decrementAndGet();
                done.written();
                if (m == Mode.TWICE) {
                    done.written();
                    done.failed(new IOException("told again"));
                }
            };
            switch (m) {
                case INLINE, TWICE -> finish.run();
                case OTHER_THREAD -> Thread.ofVirtual().start(finish);
                case MANUAL -> pending.add(finish);
                default -> throw new AssertionError(m);
            }
        }

        /** Completes the oldest write held back; false when none is. */
        boolean completeOne() {
            Runnable r = pending.poll();
            if (r != null) {
                r.run();
            }
            return r != null;
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
            this.disconnect = listener;
        }

        synchronized String text() {
            return written.toString(UTF_8);
        }

        synchronized List<String> writes() {
            return List.copyOf(asyncWrites);
        }

        int ends() {
            return completed.get() + aborted.get();
        }
    }

    /** Counts each end the metrics are told about, by stream. */
    static final class Ends implements EngineMetrics {
        final ConcurrentLinkedQueue<EndReason> reasons = new ConcurrentLinkedQueue<>();

        @Override
        public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long bytes) {
            reasons.add(why);
        }
    }

    private SseEngine engine(HubOptions hub) {
        engine = SseEngine.builder().hub(hub).metrics(ends).build();
        return engine;
    }

    private static RequestContext request(String path) {
        return new RequestContext("GET", path, null, Map.of(), Map.of(), null, null, null, null);
    }

    private static RequestContext resuming(String lastEventId) {
        return new RequestContext("GET", "/sse", null, Map.of(), Map.of("Last-Event-ID", List.of(lastEventId)), null, null, null, null);
    }

    /** Serves a subscription to {@code topic}; the call must return while the stream stays open. */
    private void serve(AsyncTransport transport, RequestContext request, String topic, Duration heartbeat) throws Exception {
        int before = engine.hub().subscribers(topic);
        Thread t = Thread.ofVirtual().start(() -> engine.serve(transport, request,
                r -> engine.hub().subscribe(r, List.of(topic)).heartbeat(heartbeat)));
        assertThat(t.join(WAIT)).as("serve returned while its subscription stays open").isTrue();
        await(() -> engine.hub().subscribers(topic) > before || transport.ends() > 0);
    }

    private void serve(AsyncTransport transport, String topic) throws Exception {
        serve(transport, request("/sse"), topic, Duration.ofSeconds(60));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(5);
        }
    }

    private static String events(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i <= to; i++) {
            b.append("id: ").append(i).append("\ndata: e").append(i).append("\n\n");
        }
        return b.toString();
    }

    private static String dataLines(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("data: ")) {
                b.append(line.substring(6)).append(',');
            }
        }
        return b.toString();
    }

    private static String expectedData(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i <= to; i++) {
            b.append('e').append(i).append(',');
        }
        return b.toString();
    }

    @Test
    void aSubscriptionIsServedWithoutAThreadAndItsEventsComeInOrder() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport t = new AsyncTransport(Mode.INLINE, WAIT);
        serve(t, "news");
        for (int i = 1; i <= 50; i++) {
            engine.hub().publish("news", "e" + i);
        }
        await(() -> dataLines(t.text()).equals(expectedData(1, 50)));
        assertThat(t.blockingWrites.get()).as("every event went through writeAsync").isZero();
        assertThat(engine.openStreams()).isEqualTo(1);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(th -> th.getName().startsWith("runnel-stream")
                || th.getName().startsWith("runnel-producer"));
    }

    @Test
    void eventsQueuedWhileAWriteIsInProgressAreCoalescedIntoTheNextWrite() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport t = new AsyncTransport(Mode.MANUAL, WAIT);
        serve(t, "news");
        engine.hub().publish("news", "e1");
        await(() -> !t.pending.isEmpty());
        for (int i = 2; i <= 6; i++) {
            engine.hub().publish("news", "e" + i);
        }
        assertThat(t.pending).as("no second write while the first is in progress").hasSize(1);
        t.completeOne();
        await(() -> !t.pending.isEmpty());
        t.completeOne();
        assertThat(t.writes()).hasSize(2);
        assertThat(dataLines(t.writes().get(0))).isEqualTo(expectedData(1, 1));
        assertThat(dataLines(t.writes().get(1))).as("one write for the five queued events").isEqualTo(expectedData(2, 6));
        assertThat(t.overlapping.get()).isZero();
    }

    @Test
    void completionsOnOtherThreadsKeepTheOrderAndNeverOverlap() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport t = new AsyncTransport(Mode.OTHER_THREAD, WAIT);
        serve(t, "news");
        for (int i = 1; i <= 300; i++) {
            engine.hub().publish("news", "e" + i);
        }
        await(() -> dataLines(t.text()).equals(expectedData(1, 300)));
        assertThat(t.overlapping.get()).isZero();
    }

    @Test
    void aCompletionToldTwiceIsIgnored() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport t = new AsyncTransport(Mode.TWICE, WAIT);
        serve(t, "news");
        for (int i = 1; i <= 40; i++) {
            engine.hub().publish("news", "e" + i);
        }
        await(() -> dataLines(t.text()).equals(expectedData(1, 40)));
        assertThat(t.overlapping.get()).isZero();
        assertThat(t.ends()).as("the second telling neither ends nor fails the stream").isZero();
        assertThat(engine.openStreams()).isEqualTo(1);
    }

    @Test
    void aWriteThatThrowsEndsOnlyItsOwnConnectionOnce() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport broken = new AsyncTransport(Mode.THROWS, WAIT);
        List<AsyncTransport> healthy = new ArrayList<>();
        serve(broken, "news");
        for (int i = 0; i < 8; i++) {
            AsyncTransport h = new AsyncTransport(i % 2 == 0 ? Mode.INLINE : Mode.OTHER_THREAD, WAIT);
            serve(h, "news");
            healthy.add(h);
        }
        for (int i = 1; i <= 20; i++) {
            engine.hub().publish("news", "e" + i);
        }
        for (AsyncTransport h : healthy) {
            await(() -> dataLines(h.text()).equals(expectedData(1, 20)));
        }
        await(() -> broken.ends() == 1 && ends.reasons.size() == 1);
        assertThat(broken.aborted.get()).isEqualTo(1);
        assertThat(ends.reasons).containsExactly(EngineMetrics.EndReason.SEND_FAILED);
        assertThat(engine.openStreams()).isEqualTo(8);
    }

    @Test
    void aWriteThatNeverCompletesTimesOutAndTheOthersGoOn() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport stuck = new AsyncTransport(Mode.MANUAL, Duration.ofMillis(300));
        AsyncTransport fine = new AsyncTransport(Mode.INLINE, WAIT);
        serve(stuck, "news");
        serve(fine, "news");
        engine.hub().publish("news", "e1");
        await(() -> ends.reasons.contains(EngineMetrics.EndReason.WRITE_TIMEOUT));
        for (int i = 2; i <= 30; i++) {
            engine.hub().publish("news", "e" + i);
        }
        await(() -> dataLines(fine.text()).equals(expectedData(1, 30)));
        assertThat(stuck.aborted.get()).isEqualTo(1);
        assertThat(stuck.completed.get()).isZero();
        assertThat(ends.reasons).containsExactly(EngineMetrics.EndReason.WRITE_TIMEOUT);
        stuck.completeOne(); // told long after the stream ended: nothing happens
        Thread.sleep(50);
        assertThat(ends.reasons).hasSize(1);
        assertThat(stuck.ends()).isEqualTo(1);
    }

    @Test
    void aClientThatStopsReadingIsCutOffAsSlowOnce() throws Exception {
        engine(HubOptions.DEFAULTS.withQueueLimits(16, 1 << 20));
        AsyncTransport slow = new AsyncTransport(Mode.MANUAL, WAIT);
        AsyncTransport fine = new AsyncTransport(Mode.OTHER_THREAD, WAIT);
        serve(slow, "news");
        serve(fine, "news");
        for (int i = 1; i <= 40; i++) {
            engine.hub().publish("news", "e" + i);
            int upTo = i;
            // the reading client keeps up (on a loaded machine it could fall 16 behind too); the other never completes a write
            await(() -> dataLines(fine.text()).equals(expectedData(1, upTo)));
        }
        await(() -> ends.reasons.size() == 1);
        assertThat(ends.reasons).containsExactly(EngineMetrics.EndReason.SLOW_CLIENT);
        // aborted at once by the cut-off (as a blocking writer's is), then by the end: abort is idempotent
        assertThat(slow.aborted.get()).isBetween(1, 2);
        assertThat(slow.completed.get()).isZero();
        await(() -> dataLines(fine.text()).equals(expectedData(1, 40)));
        assertThat(engine.hub().subscribers("news")).isEqualTo(1);
    }

    @Test
    void aHeartbeatIsWrittenWhenTheTopicIsQuiet() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport t = new AsyncTransport(Mode.INLINE, WAIT);
        serve(t, request("/sse"), "quiet", Duration.ofSeconds(1));
        await(() -> t.text().contains(":\n\n") || t.text().contains(": "));
        assertThat(t.blockingWrites.get()).isZero();
        assertThat(t.ends()).isZero();
    }

    @Test
    void aHandedOffStreamEndsCleanlyAtItsEndTimeWithoutTheCloseEvent() throws Exception {
        engine = SseEngine.builder().metrics(ends).closeEvent("done").build();
        AsyncTransport t = new AsyncTransport(Mode.INLINE, WAIT);
        Thread th = Thread.ofVirtual().start(() -> engine.serve(t, request("/sse"), r -> engine.hub().subscribe(r, List.of("news"))
                .withOptions(dev.runnel.StreamOptions.DEFAULTS.withEndAt(java.time.Instant.now().plusMillis(400)))));
        assertThat(th.join(WAIT)).isTrue();
        engine.hub().publish("news", "e1");
        await(() -> ends.reasons.size() == 1);
        assertThat(ends.reasons).containsExactly(EngineMetrics.EndReason.MAX_AGE);
        assertThat(t.completed.get()).isEqualTo(1);
        assertThat(t.aborted.get()).isZero();
        assertThat(t.text()).doesNotContain("done");
        await(() -> engine.openStreams() == 0);
    }

    @Test
    void theReplayAfterLastEventIdComesBeforeLiveEvents() throws Exception {
        engine(HubOptions.DEFAULTS);
        for (int i = 1; i <= 5; i++) {
            engine.hub().publish("news", "e" + i);
        }
        String lastSeen = engine.hub().publish("news", "e6").id();
        engine.hub().publish("news", "e7");
        engine.hub().publish("news", "e8");
        AsyncTransport t = new AsyncTransport(Mode.OTHER_THREAD, WAIT);
        serve(t, resuming(lastSeen), "news", Duration.ofSeconds(60));
        engine.hub().publish("news", "e9");
        engine.hub().publish("news", "e10");
        await(() -> dataLines(t.text()).equals(expectedData(7, 10)));
    }

    @Test
    void aConnectionEndsExactlyOnceWhateverOrderItsEndsArriveIn() throws Exception {
        engine(HubOptions.DEFAULTS);
        List<AsyncTransport> all = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            AsyncTransport t = new AsyncTransport(Mode.MANUAL, WAIT);
            serve(t, request("/sse/" + i), "news", Duration.ofSeconds(60));
            all.add(t);
        }
        engine.hub().publish("news", "e1");
        for (AsyncTransport t : all) {
            await(() -> !t.pending.isEmpty());
        }
        // every connection gets the same four ends, in a different order, from different threads
        List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            AsyncTransport t = all.get(i);
            int k = i;
            String path = "/sse/" + i;
            Runnable[] endings = {
                    t::completeOne,
                    () -> t.disconnect.run(),
                    () -> engine.closeStreams(r -> r.path().equals(path)),
                    () -> t.pending.forEach(Runnable::run),
            };
            for (int j = 0; j < endings.length; j++) {
                Runnable ending = endings[(j + k) % endings.length];
                racers.add(Thread.ofVirtual().start(ending));
            }
        }
        for (Thread r : racers) {
            assertThat(r.join(WAIT)).isTrue();
        }
        await(() -> ends.reasons.size() == all.size() && engine.openStreams() == 0);
        Thread.sleep(100);
        assertThat(ends.reasons).hasSize(all.size());
        for (AsyncTransport t : all) {
            assertThat(t.ends()).as("the response ended once").isEqualTo(1);
        }
        assertThat(engine.hub().subscribers("news")).isZero();
    }

    @Test
    void metricsThatFailInsideAWriteLoopEndOnlyTheirStream() throws Exception {
        engine = SseEngine.builder().metrics(new EngineMetrics() {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public void eventsWritten(int events, long bytes) {
                if (calls.incrementAndGet() == 1) {
                    throw new OutOfMemoryError("a writer out of memory, once");
                }
            }

            @Override
            public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long b) {
                ends.reasons.add(why);
            }
        }).build();
        List<AsyncTransport> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            AsyncTransport t = new AsyncTransport(Mode.INLINE, WAIT);
            serve(t, "news");
            all.add(t);
        }
        engine.hub().publish("news", "e1");
        await(() -> ends.reasons.size() == 1);
        for (int i = 2; i <= 10; i++) {
            engine.hub().publish("news", "e" + i);
        }
        int alive = 0;
        for (AsyncTransport t : all) {
            if (t.ends() == 0) {
                alive++;
                await(() -> dataLines(t.text()).equals(expectedData(1, 10)));
            }
        }
        assertThat(alive).isEqualTo(3);
        assertThat(ends.reasons).containsExactly(EngineMetrics.EndReason.FAILED);
    }

    @Test
    void shutdownEndsHandedOffStreamsAndStopsTheWriteLoops() throws Exception {
        engine(HubOptions.DEFAULTS);
        AsyncTransport idle = new AsyncTransport(Mode.INLINE, WAIT);
        AsyncTransport stuck = new AsyncTransport(Mode.MANUAL, WAIT);
        serve(idle, "news");
        serve(stuck, "other");
        engine.hub().publish("other", "e1");
        await(() -> !stuck.pending.isEmpty());
        assertThat(engine.shutdown(Duration.ofMillis(300))).as("the stuck write holds its stream past the grace").isFalse();
        await(() -> ends.reasons.size() == 2 && engine.openStreams() == 0);
        assertThat(ends.reasons).containsOnly(EngineMetrics.EndReason.SHUTDOWN);
        assertThat(idle.completed.get()).isEqualTo(1);
        assertThat(idle.aborted.get()).isZero();
        // the engine's abort after the grace; the end's complete then does nothing on a real transport
        assertThat(stuck.aborted.get()).isEqualTo(1);
        await(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(th -> th.getName().startsWith("runnel-write-") && th.isAlive()));
    }

    @Test
    void aSubscriptionsEndActionsRunEvenWhenTheMetricsThrowAnErrorAtItsEnd() throws Exception {
        java.util.concurrent.CountDownLatch endedActions = new java.util.concurrent.CountDownLatch(2);
        engine = SseEngine.builder().metrics(new EngineMetrics() {
            @Override
            public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long b) {
                throw new OutOfMemoryError("a metrics backend out of memory at a stream's end");
            }
        }).build();
        // one stream written by the write loops, one by a thread of its own (a transport without non-blocking writes)
        AsyncTransport handedOff = new AsyncTransport(Mode.INLINE, WAIT);
        AsyncTransport blocking = new AsyncTransport(Mode.INLINE, WAIT) {
            @Override
            public boolean writesAsync() {
                return false;
            }
        };
        Thread a = Thread.ofVirtual().start(() -> engine.serve(handedOff, request("/sse/a"),
                r -> engine.hub().subscribe(r, dev.runnel.hub.SubscribeRequest.topics(List.of("news"), null)).whenEnded(endedActions::countDown)));
        assertThat(a.join(WAIT)).isTrue();
        Thread b = Thread.ofVirtual().start(() -> engine.serve(blocking, request("/sse/b"),
                r -> engine.hub().subscribe(r, dev.runnel.hub.SubscribeRequest.topics(List.of("news"), null)).whenEnded(endedActions::countDown)));
        await(() -> engine.hub().subscribers("news") == 2);
        engine.closeStreams(r -> true);
        assertThat(b.join(WAIT)).isTrue();
        await(() -> engine.openStreams() == 0);
        assertThat(endedActions.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                .as("whenEnded ran for both streams (a Mercure subscription is unlisted by it)").isTrue();
        assertThat(engine.hub().subscribers("news")).isZero();
    }

    @Test
    void aMetricsCallbackThatInterruptsItsThreadEndsNoStream() throws Exception {
        engine = SseEngine.builder().metrics(new EngineMetrics() {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public void eventsWritten(int events, long bytes) {
                if (calls.incrementAndGet() <= 2) {
                    Thread.currentThread().interrupt(); // as a backend that restores an interrupt it caught would
                }
            }

            @Override
            public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long b) {
                ends.reasons.add(why);
            }
        }).build();
        List<AsyncTransport> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            AsyncTransport t = new AsyncTransport(Mode.INLINE, WAIT);
            serve(t, "news");
            all.add(t);
        }
        for (int i = 1; i <= 10; i++) {
            engine.hub().publish("news", "e" + i);
        }
        for (AsyncTransport t : all) {
            await(() -> dataLines(t.text()).equals(expectedData(1, 10)));
        }
        assertThat(ends.reasons).as("no stream ended").isEmpty();
        assertThat(all).allSatisfy(t -> assertThat(t.ends()).isZero());
    }

    @Test
    void aConnectionWhoseWritesNeverLetUpDoesNotStarveTheOthersOnItsLoop() throws Exception {
        engine(HubOptions.DEFAULTS);
        java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicInteger flooded = new AtomicInteger();
        AsyncTransport hog = new AsyncTransport(Mode.INLINE, WAIT) {
            @Override
            public void writeAsync(ByteBuffer bytes, WriteCallback done) {
                // every write done at once, with the next event already queued: its turn always has more to do
                if (flooding.get()) {
                    engine.hub().publish("flood", "f" + flooded.incrementAndGet());
                }
                done.written();
            }
        };
        try {
            serve(hog, "flood");
            // streams are spread over the loops by id: the stream as many ids later as there are loops shares the hog's
            int loops = Runtime.getRuntime().availableProcessors();
            for (int i = 1; i < loops; i++) {
                serve(new AsyncTransport(Mode.INLINE, WAIT), "idle");
            }
            AsyncTransport neighbour = new AsyncTransport(Mode.INLINE, WAIT);
            serve(neighbour, "news");
            engine.hub().publish("flood", "f0");
            await(() -> flooded.get() > 1_000);
            engine.hub().publish("news", "e1");
            await(() -> dataLines(neighbour.text()).equals(expectedData(1, 1)));
            assertThat(neighbour.ends()).isZero();
        } finally {
            flooding.set(false);
        }
    }
}
