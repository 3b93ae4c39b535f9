package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.internal.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that accepts every connection and soon drops it is not hammered: only a stream that
 * stayed up resets the backoff, and no wait is shorter than the floor. These tests count the
 * connections the server sees in a fixed window; they do not time the client.
 */
class FlappingServerTest {

    /**
     * From 100 ms, doubling with jitter, the waits are at least 100, 100, 200, 400, 800, 1600 ms:
     * the 7th connection comes 3.2 s after the first at the earliest, so at most 6 in 3 s; one more
     * for slack (the window is measured by the test, not by the client). Without backoff: 29 and 937.
     */
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final int MAX_CONNECTIONS_IN_WINDOW = 7;

    private RawEventServer server;
    private EventSource source;

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        server.close();
    }

    private int connectionsIn(Duration window, EventSourceOptions options) throws Exception {
        Recorder recorder = new Recorder();
        long start = System.nanoTime();
        source = EventSource.connect(server.uri("/events"), options, recorder);
        recorder.awaitEventData(2); // it does reconnect
        long left = window.toNanos() - (System.nanoTime() - start);
        if (left > 0) {
            Thread.sleep(left / 1_000_000);
        }
        source.close();
        return server.connections();
    }

    @Test
    void aServerThatResetsEveryStreamAfterOneEventIsReconnectedEverMoreSlowly() throws Exception {
        byte[] oneEvent = "data: a\n\n".getBytes(StandardCharsets.UTF_8);
        server.answer(Answer.events(oneEvent, Delivery.WHOLE, After.ABORT)); // repeated for every connection
        int connections = connectionsIn(WINDOW, EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(100)));
        assertThat(connections).isBetween(2, MAX_CONNECTIONS_IN_WINDOW);
    }

    @Test
    void retryZeroAndACleanCloseStillWaitTheFloorAndBackOff() throws Exception {
        server.answer(Answer.events("retry: 0\ndata: a\n\n")); // repeated: retry 0, one event, a clean end
        int connections = connectionsIn(WINDOW, EventSourceOptions.DEFAULTS.withMinRetryDelay(Duration.ofMillis(100)));
        assertThat(connections).isBetween(2, MAX_CONNECTIONS_IN_WINDOW);
    }

    @Test
    void withNoUptimeRequiredAndNoFloorEveryOpenedStreamResetsTheBackoffAsInABrowser() throws Exception {
        server.answer(Answer.events("data: a\n\n"));
        EventSourceOptions browserLike = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10))
                .withMinRetryDelay(Duration.ZERO).withBackoffResetAfter(Duration.ZERO);
        int connections = connectionsIn(WINDOW, browserLike);
        assertThat(connections).isGreaterThan(2 * MAX_CONNECTIONS_IN_WINDOW); // every 10 ms: the old behaviour, on request
    }
}
