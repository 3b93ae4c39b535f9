package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.transport.SseTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hub subscription without {@code Last-Event-ID} receives every event published once its client
 * could have seen the {@code 200}: its subscriber is attached before the head goes out, and what is
 * published while the head is written comes right after it (and after any replay), in order. A head
 * that fails after the attach releases the subscription exactly once.
 */
class LiveFromTheHeadTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private SseEngine engine;
    private final ConcurrentLinkedQueue<EngineMetrics.EndReason> ends = new ConcurrentLinkedQueue<>();

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** A transport whose head waits for the test; blocking or non-blocking writes. */
    static class HeldHead implements SseTransport {
        final boolean async;
        final CountDownLatch headCalled = new CountDownLatch(1);
        final CountDownLatch letHeadGo = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        volatile Runnable disconnect;

        HeldHead(boolean async) {
            this.async = async;
        }

        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int status, Map<String, String> headers) throws IOException {
            headCalled.countDown();
            try {
                if (!letHeadGo.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IOException("the test never let the head go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public synchronized void write(ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.duplicate().get(b);
            written.writeBytes(b);
        }

        @Override
        public boolean writesAsync() {
            return async;
        }

        @Override
        public void writeAsync(ByteBuffer bytes, WriteCallback done) {
            write(bytes);
            done.written();
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
    }

    private SseEngine engine(Duration retry) {
        SseEngine.Builder b = SseEngine.builder().metrics(new EngineMetrics() {
            @Override
            public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long bytes) {
                ends.add(why);
            }
        });
        if (retry != null) {
            b.retry(retry);
        }
        engine = b.build();
        return engine;
    }

    private static RequestContext request(Map<String, List<String>> headers) {
        return new RequestContext("GET", "/sse", null, Map.of(), headers, null, null, null, null);
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

    /** The data lines of {@code text}, joined with commas. */
    private static String data(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("data: ")) {
                b.append(line.substring(6)).append(',');
            }
        }
        return b.toString();
    }

    private Thread serve(HeldHead transport, RequestContext request, String topic) {
        return Thread.ofVirtual().start(() -> engine.serve(transport, request, r -> engine.hub().subscribe(r, List.of(topic))));
    }

    @ParameterizedTest(name = "non-blocking writes: {0}")
    @ValueSource(booleans = {false, true})
    void anEventPublishedWhileTheHeadIsWrittenIsSentRightAfterIt(boolean async) throws Exception {
        engine(null);
        HeldHead t = new HeldHead(async);
        Thread server = serve(t, request(Map.of()), "news");
        assertThat(t.headCalled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        engine.hub().publish("news", "while the head is written: ü\u2028é");
        t.letHeadGo.countDown();
        await(() -> engine.hub().subscribers("news") == 1);
        engine.hub().publish("news", "after");

        await(() -> data(t.text()).contains("after"));
        assertThat(data(t.text())).isEqualTo("while the head is written: ü\u2028é,after,");
        if (async) {
            assertThat(server.join(WAIT)).as("handed to a write loop, serve returned").isTrue();
        }
        t.disconnect.run();
        await(() -> ends.size() == 1 && engine.openStreams() == 0);
        assertThat(engine.hub().subscribers("news")).isZero();
    }

    @ParameterizedTest(name = "non-blocking writes: {0}")
    @ValueSource(booleans = {false, true})
    void theHeadThenTheRetryEventThenTheReplayThenWhatCameMeanwhileInOrder(boolean async) throws Exception {
        engine(Duration.ofMillis(1500));
        engine.hub().publish("news", "r1");
        String lastSeen = engine.hub().publish("news", "r2").id();
        engine.hub().publish("news", "r3");
        engine.hub().publish("news", "r4");
        HeldHead t = new HeldHead(async);
        serve(t, request(Map.of("Last-Event-ID", List.of(lastSeen))), "news");
        assertThat(t.headCalled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        for (int i = 1; i <= 5; i++) {
            engine.hub().publish("news", "m" + i);
        }
        t.letHeadGo.countDown();
        await(() -> engine.hub().subscribers("news") == 1);
        engine.hub().publish("news", "after");

        await(() -> data(t.text()).contains("after"));
        assertThat(data(t.text())).isEqualTo("retry,r3,r4,m1,m2,m3,m4,m5,after,");
        assertThat(t.text()).startsWith("event: runnel:meta\n");
        t.disconnect.run();
        await(() -> ends.size() == 1 && engine.openStreams() == 0);
    }

    /** A checked exception thrown where none is declared, as some libraries do. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }

    /** What the failing head throws. */
    enum HeadFailure { IO, RUNTIME, ERROR, CHECKED }

    @ParameterizedTest(name = "{0}, non-blocking writes: {1}")
    @org.junit.jupiter.params.provider.MethodSource("failures")
    void aHeadThatFailsAfterTheAttachReleasesTheSubscriptionOnce(HeadFailure failure, boolean async) throws Exception {
        engine(null);
        AtomicInteger subscribersDuringHead = new AtomicInteger(-1);
        HeldHead t = new HeldHead(async) {
            @Override
            public void start(int status, Map<String, String> headers) throws IOException {
                subscribersDuringHead.set(engine.hub().subscribers("news"));
                switch (failure) {
                    case IO -> throw new IOException("client gone before the head");
                    case RUNTIME -> throw new IllegalStateException("the server refused the head");
                    case ERROR -> throw new StackOverflowError("the head");
                    case CHECKED -> sneakyThrow(new Exception("a checked failure nobody declared"));
                }
            }
        };
        AtomicInteger endActions = new AtomicInteger();
        Thread server = Thread.ofVirtual().start(() -> engine.serve(t, request(Map.of()), r -> {
            EventStream.Subscribed s = (EventStream.Subscribed) engine.hub().subscribe(r, List.of("news"));
            s.subscription().whenEnded(endActions::incrementAndGet);
            return s;
        }));
        assertThat(server.join(WAIT)).as("serve returned").isTrue();

        assertThat(subscribersDuringHead.get()).as("the subscriber was attached before the head").isEqualTo(1);
        await(() -> ends.size() == 1);
        assertThat(engine.hub().subscribers("news")).as("detached").isZero();
        assertThat(engine.openStreams()).isZero();
        assertThat(t.completed.get() + t.aborted.get()).as("the response ended once").isEqualTo(1);
        assertThat(endActions.get()).as("the subscription's end ran once").isEqualTo(1);
        assertThat(ends).containsExactly(failure == HeadFailure.IO ? EngineMetrics.EndReason.SEND_FAILED : EngineMetrics.EndReason.FAILED);
        engine.hub().publish("news", "nobody listens");
        Thread.sleep(50);
        assertThat(ends).hasSize(1);
        assertThat(endActions.get()).isEqualTo(1);
        assertThat(t.text()).as("no body without a head").isEmpty();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> failures() {
        return java.util.Arrays.stream(HeadFailure.values())
                .flatMap(f -> java.util.stream.Stream.of(org.junit.jupiter.params.provider.Arguments.of(f, false),
                        org.junit.jupiter.params.provider.Arguments.of(f, true)));
    }

    @ParameterizedTest(name = "non-blocking writes: {0}")
    @ValueSource(booleans = {false, true})
    void anAttachThatFailsEndsTheStreamOnceWithAnErrorEventAfterTheHead(boolean async) throws Exception {
        engine(null);
        engine.hub().publish("news", "makes the topic");
        java.lang.reflect.Field storeField = TopicHub.class.getDeclaredField("store");
        storeField.setAccessible(true);
        java.lang.reflect.Field hubField = SseEngine.class.getDeclaredField("hub");
        hubField.setAccessible(true);
        TopicStore.Topic topic = ((TopicStore) storeField.get(hubField.get(engine))).topic("news");
        java.lang.reflect.Field subscribersField = TopicStore.Topic.class.getDeclaredField("subscribers");
        subscribersField.setAccessible(true);
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.Set<Subscriber> failingOnce = new java.util.LinkedHashSet<>(topic.subscribers) {
            @Override
            public boolean add(Subscriber s) {
                if (failed.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("adding a subscriber");
                }
                return super.add(s);
            }
        };
        subscribersField.set(topic, failingOnce);

        HeldHead t = new HeldHead(async);
        t.letHeadGo.countDown();
        Thread server = serve(t, request(Map.of()), "news");
        assertThat(server.join(WAIT)).isTrue();

        await(() -> ends.size() == 1);
        assertThat(failed).as("the attach failed").isTrue();
        assertThat(ends).containsExactly(EngineMetrics.EndReason.FAILED);
        assertThat(t.headCalled.getCount()).as("the head was sent").isZero();
        assertThat(t.text()).contains("event: error");
        assertThat(t.completed.get() + t.aborted.get()).isEqualTo(1);
        assertThat(engine.hub().subscribers("news")).isZero();
        assertThat(engine.openStreams()).isZero();
    }

    @ParameterizedTest(name = "non-blocking writes: {0}")
    @ValueSource(booleans = {false, true})
    void whatIsPublishedBeforeTheStreamIsServedIsNotSentWithoutLastEventId(boolean async) throws Exception {
        engine(null);
        HeldHead t = new HeldHead(async);
        t.letHeadGo.countDown();
        // as a Mercure hub announces a subscription: after subscribe returned, before the stream is served
        Thread server = Thread.ofVirtual().start(() -> engine.serve(t, request(Map.of()), r -> {
            EventStream s = engine.hub().subscribe(r, List.of("news"));
            engine.hub().publish("news", "its own announcement");
            return s;
        }));
        await(() -> engine.hub().subscribers("news") == 1);
        engine.hub().publish("news", "live");

        await(() -> data(t.text()).contains("live"));
        assertThat(data(t.text())).isEqualTo("live,");
        if (async) {
            assertThat(server.join(WAIT)).isTrue();
        }
        t.disconnect.run();
        await(() -> ends.size() == 1 && engine.openStreams() == 0);
    }

    @ParameterizedTest(name = "non-blocking writes: {0}")
    @ValueSource(booleans = {false, true})
    void aQueueThatOverflowsWhileTheHeadIsWrittenCutsTheClientOffOnce(boolean async) throws Exception {
        engine = SseEngine.builder().hub(dev.runnel.hub.HubOptions.DEFAULTS.withQueueLimits(4, 1 << 20)).metrics(new EngineMetrics() {
            @Override
            public void streamEnded(String route, List<String> topics, EndReason why, long nanos, long events, long bytes) {
                ends.add(why);
            }
        }).build();
        HeldHead t = new HeldHead(async);
        Thread server = serve(t, request(Map.of()), "news");
        assertThat(t.headCalled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 10; i++) {
            engine.hub().publish("news", "e" + i);
        }
        await(() -> t.aborted.get() >= 1);
        t.letHeadGo.countDown();
        assertThat(server.join(WAIT)).isTrue();

        await(() -> ends.size() == 1 && engine.openStreams() == 0);
        assertThat(ends).containsExactly(EngineMetrics.EndReason.SLOW_CLIENT);
        assertThat(engine.hub().subscribers("news")).isZero();
        assertThat(t.completed.get()).isZero();
        assertThat(data(t.text())).as("no event after a gap").isEmpty();
        engine.hub().publish("news", "later");
        Thread.sleep(50);
        assertThat(ends).hasSize(1);
    }
}
