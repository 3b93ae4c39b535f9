package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.internal.Delivery;
import dev.runnel.testkit.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source read the natural way and never closed ({@code open(uri).events().limit(2)...}, a loop
 * that breaks) gives its connection and its client's threads back: at once when it runs to its
 * end, once it is unreachable otherwise.
 */
class AbandonedSourceTest {

    private static final int SOURCES = 20;
    private static final String CLIENT_THREADS = "HttpClient-";
    private static final String CLEANER_THREADS = "runnel-source-cleaner";
    private static final Duration GC_WAIT = Duration.ofSeconds(30);

    private RawEventServer server;

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
        // three events, then the stream stays open: a reader that stops after two leaves it hanging
        byte[] three = "data: a\n\n".repeat(3).getBytes(StandardCharsets.UTF_8);
        server.answer(Answer.events(three, Delivery.WHOLE, After.HOLD));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** Collects garbage until {@code condition} holds; fails after {@link #GC_WAIT}. */
    private static void collectUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + GC_WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            System.gc();
            Thread.sleep(50);
        }
    }

    @Test
    void aLimitedEventsStreamNeverClosedReleasesItsConnectionAndThreads() throws Exception {
        int threadsBefore = LiveThreads.named(CLIENT_THREADS);
        for (int i = 0; i < SOURCES; i++) {
            List<String> two = EventSource.open(server.uri("/events")).events().limit(2).map(MessageEvent::data).toList();
            assertThat(two).containsExactly("a", "a");
        }
        collectUntil(() -> server.clientCloses() == SOURCES, "the server saw " + SOURCES + " connections closed");
        collectUntil(() -> LiveThreads.named(CLIENT_THREADS) <= threadsBefore, "no HttpClient thread is left");
    }

    @Test
    void noCleanerThreadOutlivesTheSourcesItWatches() throws Exception {
        for (int i = 0; i < 3; i++) {
            List<String> two = EventSource.open(server.uri("/events")).events().limit(2).map(MessageEvent::data).toList();
            assertThat(two).containsExactly("a", "a");
        }
        collectUntil(() -> server.clientCloses() == 3, "the server saw 3 connections closed");
        // no thread is left for a redeployed application's class loader to be pinned by
        collectUntil(() -> LiveThreads.named(CLEANER_THREADS) == 0, "no source cleaner thread is left");
    }

    @Test
    void anIterationLoopLeftWithBreakReleasesItsConnectionAndThreads() throws Exception {
        int threadsBefore = LiveThreads.named(CLIENT_THREADS);
        for (int i = 0; i < SOURCES; i++) {
            for (MessageEvent event : EventSource.open(server.uri("/events"))) {
                assertThat(event.data()).isEqualTo("a");
                break;
            }
        }
        collectUntil(() -> server.clientCloses() == SOURCES, "the server saw " + SOURCES + " connections closed");
        collectUntil(() -> LiveThreads.named(CLIENT_THREADS) <= threadsBefore, "no HttpClient thread is left");
    }

    @Test
    void anEventsStreamReadToTheEndReleasesEverythingWithoutGarbageCollection() throws Exception {
        server.close();
        server = RawEventServer.start();
        server.answer(Answer.events("data: a\n\n"), Answer.status(204));
        int threadsBefore = LiveThreads.named(CLIENT_THREADS);
        EventSource source = EventSource.open(server.uri("/events"));
        assertThat(source.events().map(MessageEvent::data).toList()).containsExactly("a");
        assertThat(source.end()).contains(new StreamEnd.NoContent());
        // source still reachable here, and no collection asked for: the end itself shut the client down; its
        // selector thread leaves on its own a moment later (shutdownNow does not wait), so allow it that moment
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (LiveThreads.named(CLIENT_THREADS) > threadsBefore && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(LiveThreads.named(CLIENT_THREADS)).isLessThanOrEqualTo(threadsBefore);
        assertThat(source.end()).isPresent();
    }
}
