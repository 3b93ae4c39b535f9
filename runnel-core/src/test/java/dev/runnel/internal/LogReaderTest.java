package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader thread itself, on a log in this process: whatever a round throws (an {@link Error}
 * included), the reader either reads again or the node says it is not ready; it never dies while
 * the node reports itself ready.
 */
class LogReaderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private TopicHub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close();
        }
    }

    /**
     * {@link LogHubTest.FakeLog} made safe for the reader thread and a test thread at once, whose
     * reads can hand the hub a batch that blows up inside {@link LogFollower#apply}.
     */
    private static final class PoisonableLog implements HubLog {
        private final LogHubTest.FakeLog log = new LogHubTest.FakeLog();
        /** How many of the next reads return a batch that throws an Error when the hub applies it. */
        private int poisoned;

        synchronized String publish(String topic, String data) {
            return log.publish(topic, data);
        }

        synchronized void poisonNextReads(int count) {
            poisoned = count;
        }

        @Override
        public synchronized Position append(Map<String, String> fields, int retain) {
            return log.append(fields, retain);
        }

        @Override
        public synchronized Position head() {
            return log.head();
        }

        @Override
        public synchronized Batch read(String epoch, long after, int limit) {
            Batch batch = log.read(epoch, after, limit);
            if (poisoned == 0) {
                return batch;
            }
            poisoned--;
            List<HubLog.Entry> entries = new ArrayList<>(batch.entries()) {
                @Override
                public java.util.Iterator<HubLog.Entry> iterator() {
                    throw new OutOfMemoryError("test: the hub cannot apply this batch");
                }
            };
            return new Batch(batch.epoch(), batch.head(), batch.nowMillis(), entries, batch.trimmedThrough());
        }

        @Override
        public void await(String epoch, long after, Duration timeout) throws InterruptedException {
            Thread.sleep(5); // the fake has no way to block until an append: poll gently
        }

        @Override
        public void wake() {
        }

        @Override
        public boolean ping(Duration timeout) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private TopicHub started(PoisonableLog log) {
        hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, EngineMetrics.NOOP, log);
        hub.start();
        assertThat(hub.isReady()).as("ready after the first read").isTrue();
        return hub;
    }

    private static ValueChannel subscribe(TopicHub hub, String topic) {
        ValueChannel channel = hub.newChannel();
        hub.attach(new Subscriber(List.of(topic), channel, hub.options().slowClients(), () -> { }), null);
        return channel;
    }

    private static List<String> receive(ValueChannel channel, int count) throws InterruptedException {
        List<Object> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            channel.poll(got, Integer.MAX_VALUE, Duration.ofMillis(100).toNanos());
        }
        return got.stream().map(v -> {
            String wire = new String(((Encoded) v).bytes(dev.runnel.Dialect.HTMX2), UTF_8);
            int at = wire.indexOf("data: ");
            return wire.substring(at + 6, wire.indexOf('\n', at));
        }).toList();
    }

    private static void awaitUntil(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aReaderThatAnErrorHitsReadsAgainAndDeliversWhatFollows() throws Exception {
        PoisonableLog log = new PoisonableLog();
        TopicHub hub = started(log);
        ValueChannel channel = subscribe(hub, "t");
        awaitUntil(() -> hub.subscribers("t") == 1, "registered by the reader", WAIT);

        log.poisonNextReads(2);
        log.publish("t", "after the error");

        assertThat(receive(channel, 1)).containsExactly("after the error");
        awaitUntil(hub::isReady, "ready again", WAIT);
    }

    @Test
    void aNodeWhoseReaderKeepsFailingWithAnErrorIsNotReady() throws Exception {
        PoisonableLog log = new PoisonableLog();
        TopicHub hub = started(log);

        log.poisonNextReads(Integer.MAX_VALUE);

        awaitUntil(() -> !hub.isReady(), "unready while every read fails", WAIT);
    }
}
