package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.RawEventServer.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stream that goes silent without closing (a NAT or proxy that dropped it) is left and resumed. */
class ReadTimeoutTest {

    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10))
            .withReadTimeout(Duration.ofMillis(300));

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

    @Test
    void aStreamSilentForTheReadTimeoutIsDroppedAndResumedWithTheLastEventId() throws Exception {
        server.answer(Answer.events("id: 5\ndata: a\n\n").then(After.HOLD), Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        source = EventSource.connect(server.uri("/events"), FAST, recorder);
        assertThat(server.awaitClientClose(Recorder.WAIT)).isEqualTo(1); // the client, not the server, ended the silence
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("5");
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
        assertThat(recorder.errors.getFirst()).isInstanceOf(HttpTimeoutException.class)
                .hasMessageContaining("readTimeout");
        assertThat(recorder.log).containsSubsequence("open", "event:a", "error", "open", "event:b");
    }

    @Test
    void aTrickleThatNeverCompletesALineIsDroppedAfterTheReadTimeout() throws Exception {
        // "data: x", then one more "x" every 100 ms for 30 s: bytes keep coming, no line ends
        byte[] trickle = ("data: x" + "x".repeat(300)).getBytes(StandardCharsets.UTF_8);
        List<byte[]> pieces = new ArrayList<>(List.of(Arrays.copyOf(trickle, 7)));
        for (int i = 7; i < trickle.length; i++) {
            pieces.add(new byte[] {trickle[i]});
        }
        Answer slow = new Answer(200, Map.of("Content-Type", "text/event-stream"), pieces, After.HOLD, Duration.ofMillis(100));
        server.answer(Answer.events("id: 5\n\n").then(After.FINISH), slow, Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        source = EventSource.connect(server.uri("/events"), FAST, recorder);
        server.takeRequest();
        long trickleStarted = server.takeRequest().nanoTime();
        Request resumed = server.takeRequest(); // within 10 s, long before the trickle ends
        assertThat(resumed.header("Last-Event-ID")).contains("5");
        assertThat(Duration.ofNanos(resumed.nanoTime() - trickleStarted)).isLessThan(Duration.ofSeconds(10));
        assertThat(recorder.awaitEventData(1)).containsExactly("b");
        assertThat(recorder.errors).singleElement().isInstanceOf(HttpTimeoutException.class);
        assertThat(recorder.errors.getFirst()).hasMessageContaining("readTimeout");
    }

    @Test
    @Timeout(30) // without a read timeout, it would wait for ever
    void anIteratedSourceAlsoLeavesASilentStream() throws Exception {
        server.answer(Answer.events("id: 5\ndata: a\n\n").then(After.HOLD), Answer.events("data: b\n\n"), Answer.status(204));
        source = EventSource.open(server.uri("/events"), FAST);
        assertThat(source.events().map(MessageEvent::data)).containsExactly("a", "b");
        assertThat(source.end()).contains(new StreamEnd.NoContent());
    }

    @Test
    void theReadTimeoutMayBeOffButNotNegative() {
        assertThat(FAST.withReadTimeout(Duration.ZERO).readTimeout()).isZero();
        assertThat(EventSourceOptions.DEFAULTS.readTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThatThrownBy(() -> FAST.withReadTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readTimeout");
    }
}
