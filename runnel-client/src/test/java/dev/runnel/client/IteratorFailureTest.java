package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Iterator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An iterated source whose machinery throws something unexpected lets its connection go at once. */
class IteratorFailureTest {

    private RawEventServer server;
    private HttpClient real;

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
        real = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        real.shutdownNow();
        real.awaitTermination(Duration.ofSeconds(5));
        server.close();
    }

    @Test
    void anUnexpectedExceptionEndsTheSourceAsFailedClosesTheConnectionAndReachesTheCaller() throws Exception {
        server.answer(Answer.events("data: a\n\n").then(After.HOLD));
        IllegalStateException injected = new IllegalStateException("injected after the connection was accepted");
        EventSource source = EventSource.open(server.uri("/events"),
                EventSourceOptions.DEFAULTS.withHttpClient(new FaultyVersionClient(real, injected)));
        Iterator<MessageEvent> events = source.iterator();
        assertThatThrownBy(events::hasNext).isSameAs(injected);
        // the source is still reachable here: the server sees the close without any garbage collection
        assertThat(server.awaitClientClose(Recorder.WAIT)).isEqualTo(1);
        assertThat(source.end()).hasValueSatisfying(end ->
                assertThat(end).isInstanceOfSatisfying(StreamEnd.Failed.class, f -> assertThat(f.cause()).isSameAs(injected)));
        assertThat(events.hasNext()).isFalse();
        assertThat(server.connections()).isEqualTo(1);
    }
}
