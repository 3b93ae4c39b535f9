package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.RawEventServer.Request;
import dev.runnel.client.internal.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Reconnection as a browser does it, against crafted answers from a raw socket server. */
class ReconnectionTest {

    /** Long enough that a reconnect this soon proves the server's retry was used. */
    private static final Duration SLOW_DEFAULT = Duration.ofSeconds(30);
    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10));

    private RawEventServer server;

    private final List<EventSource> sources = new ArrayList<>();

    /** Closes {@code source} after the test. */
    private EventSource track(EventSource source) {
        sources.add(source);
        return source;
    }

    @AfterEach
    void closeSources() {
        sources.forEach(EventSource::close);
    }

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private EventSource connect(EventSourceOptions options, Recorder recorder) {
        return track(EventSource.connect(server.uri("/events"), options, recorder));
    }

    @Test
    void theServersRetryIsWaitedBeforeReconnecting() throws Exception {
        server.answer(Answer.events("retry: 300\ndata: a\n\n"), Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        connect(FAST.withRetry(SLOW_DEFAULT), recorder);
        recorder.next(java.net.http.HttpResponse.ResponseInfo.class);
        recorder.next(MessageEvent.class);
        long firstEvent = System.nanoTime();
        server.takeRequest();
        Request second = server.takeRequest();
        long waited = TimeUnit.NANOSECONDS.toMillis(second.nanoTime() - firstEvent);
        assertThat(waited).isGreaterThanOrEqualTo(300).isLessThan(SLOW_DEFAULT.toMillis());
        assertThat(recorder.next(java.net.http.HttpResponse.ResponseInfo.class)).isNotNull();
        assertThat(recorder.next(MessageEvent.class).data()).isEqualTo("b");
    }

    @Test
    void aServersRetryAboveMaxRetryDelayWaitsMaxRetryDelay() throws Exception {
        server.answer(Answer.events("retry: 9223372036854775807\ndata: a\n\n"), Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        connect(FAST.withMaxRetryDelay(Duration.ofMillis(300)), recorder);
        recorder.next(java.net.http.HttpResponse.ResponseInfo.class);
        recorder.next(MessageEvent.class);
        long firstEvent = System.nanoTime();
        server.takeRequest();
        Request second = server.takeRequest(); // within 10 s: the server's retry would be for ever
        long waited = TimeUnit.NANOSECONDS.toMillis(second.nanoTime() - firstEvent);
        assertThat(waited).isGreaterThanOrEqualTo(300);
        assertThat(recorder.next(java.net.http.HttpResponse.ResponseInfo.class)).isNotNull();
        assertThat(recorder.next(MessageEvent.class).data()).isEqualTo("b");
    }

    @Test
    void aRetryThatIsNotAllDigitsIsIgnored() throws Exception {
        server.answer(Answer.events("retry: 60000x\nretry: 6e4\ndata: a\n\n"), Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        server.takeRequest();
        server.takeRequest(); // within 10 s: the default 10 ms was used, not 60 s
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
    }

    @Test
    void theLastEventIdIsSentOnReconnect() throws Exception {
        server.answer(Answer.events("id: 7\ndata: a\n\n"), Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        assertThat(server.takeRequest().header("Last-Event-ID")).isEmpty();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("7");
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
        assertThat(recorder.events.get(1).lastEventId()).isEqualTo("7");
    }

    @Test
    void anIdOnlyBlockSetsTheIdSentOnReconnect() throws Exception {
        server.answer(Answer.events("data: a\n\nid: 9\n\n"), Answer.status(204));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.NoContent());
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("9");
    }

    @Test
    void anIdInTheDiscardedFinalBlockIsNotSent() throws Exception {
        server.answer(Answer.events("id: 1\ndata: a\n\nid: 2\ndata: b\n"), Answer.status(204));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        recorder.awaitClosed();
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("1");
        assertThat(recorder.data()).containsExactly("a");
    }

    @Test
    void anEmptyIdMeansNoLastEventIdHeader() throws Exception {
        server.answer(Answer.events("id: 1\ndata: a\n\nid:\ndata: b\n\n"), Answer.status(204));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        recorder.awaitClosed();
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).isEmpty();
    }

    @Test
    void theInitialLastEventIdAndHeadersAreSentOnTheFirstRequest() throws Exception {
        server.answer(Answer.status(204));
        Recorder recorder = new Recorder();
        EventSourceOptions options = FAST.withLastEventId("41").withHeader("Authorization", "Bearer t");
        connect(options, recorder);
        Request request = server.takeRequest();
        assertThat(request.header("Last-Event-ID")).contains("41");
        assertThat(request.header("Authorization")).contains("Bearer t");
        assertThat(request.header("Accept")).contains("text/event-stream");
        assertThat(request.header("Cache-Control")).contains("no-cache");
        assertThat(request.method()).isEqualTo("GET");
    }

    @Test
    void theLastEventIdCarriesOverToEventsOfTheNextConnection() throws Exception {
        server.answer(Answer.events("id: 3\ndata: a\n\n"), Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        recorder.awaitEventData(2);
        assertThat(recorder.events.get(1)).isEqualTo(new MessageEvent("message", "b", "3"));
    }

    @Test
    void noContentEndsTheSourceForGood() throws Exception {
        server.answer(Answer.status(204));
        Recorder recorder = new Recorder();
        EventSource source = connect(FAST, recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.NoContent());
        assertThat(source.end()).contains(new StreamEnd.NoContent());
        assertThat(server.connections()).isEqualTo(1);
        assertThat(recorder.log).containsExactly("closed");
    }

    @Test
    void noContentOnAReconnectEndsTheSource() throws Exception {
        server.answer(Answer.events("data: a\n\n"), Answer.status(204));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.NoContent());
        assertThat(recorder.log).containsExactly("open", "event:a", "closed");
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void aStatusOtherThan200EndsTheSourceWithThatStatus() throws Exception {
        server.answer(Answer.status(500));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        StreamEnd end = recorder.awaitClosed();
        assertThat(end).isEqualTo(new StreamEnd.HttpStatus(500));
        assertThat(end.failed()).isTrue();
        assertThat(end.reason()).isEqualTo("the server answered HTTP 500 (an event stream needs 200)");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aWrongContentTypeEndsTheSource() throws Exception {
        server.answer(Answer.events("data: a\n\n").header("Content-Type", "text/plain"));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.WrongContentType("text/plain"));
        assertThat(recorder.events).isEmpty();
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void theContentTypeMayHaveParametersAndAnyCase() throws Exception {
        server.answer(Answer.events("data: a\n\n").header("Content-Type", "Text/Event-Stream; charset=utf-8"));
        Recorder recorder = new Recorder();
        connect(FAST.withReconnect(false), recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.Ended());
        assertThat(recorder.data()).containsExactly("a");
    }

    @Test
    void aRedirectIsFollowed() throws Exception {
        server.answer(Answer.status(302).header("Location", "/moved"), Answer.events("data: here\n\n"));
        Recorder recorder = new Recorder();
        connect(FAST.withReconnect(false), recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.Ended());
        assertThat(recorder.data()).containsExactly("here");
        server.takeRequest();
        assertThat(server.takeRequest().target()).isEqualTo("/moved");
    }

    @Test
    void withoutReconnectTheSourceEndsWithTheStream() throws Exception {
        server.answer(Answer.events("data: a\n\ndata: b\n\n"));
        Recorder recorder = new Recorder();
        connect(FAST.withReconnect(false), recorder);
        StreamEnd end = recorder.awaitClosed();
        assertThat(end).isEqualTo(new StreamEnd.Ended());
        assertThat(end.failed()).isFalse();
        assertThat(recorder.log).containsExactly("open", "event:a", "event:b", "closed");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aBrokenStreamIsAnErrorAndTheSourceReconnects() throws Exception {
        server.answer(Answer.events("id: 1\ndata: a\n\n".getBytes(StandardCharsets.UTF_8), Delivery.WHOLE, After.ABORT),
                Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        connect(FAST, recorder);
        recorder.awaitEventData(2);
        assertThat(recorder.log).containsExactly("open", "event:a", "error", "open", "event:b");
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("1");
    }

    @Test
    void aBrokenStreamWithoutReconnectEndsAsAFailure() throws Exception {
        server.answer(Answer.events("data: a\n\n".getBytes(StandardCharsets.UTF_8), Delivery.WHOLE, After.ABORT));
        Recorder recorder = new Recorder();
        connect(FAST.withReconnect(false), recorder);
        StreamEnd end = recorder.awaitClosed();
        assertThat(end).isInstanceOf(StreamEnd.Failed.class);
        assertThat(end.failed()).isTrue();
        assertThat(recorder.data()).containsExactly("a");
    }

    @Test
    void afterMaxAttemptsFailedInARowTheSourceGivesUp() throws Exception {
        URI refused;
        try (ServerSocket unused = new ServerSocket(0)) {
            refused = URI.create("http://127.0.0.1:" + unused.getLocalPort() + "/events");
        }
        Recorder recorder = new Recorder();
        track(EventSource.connect(refused, FAST.withMaxAttempts(3), recorder));
        StreamEnd end = recorder.awaitClosed();
        assertThat(end).isInstanceOfSatisfying(StreamEnd.Failed.class, f -> assertThat(f.attempts()).isEqualTo(3));
        assertThat(end.reason()).startsWith("3 connection attempts in a row failed, the last: ");
        assertThat(recorder.log).containsExactly("error", "error", "closed");
    }

    @Test
    void anOpenedStreamResetsTheCountOfFailedAttempts() throws Exception {
        byte[] event = "data: a\n\n".getBytes(StandardCharsets.UTF_8);
        server.answer(Answer.events(event, Delivery.WHOLE, After.ABORT), Answer.events(event, Delivery.WHOLE, After.ABORT),
                Answer.events(event, Delivery.WHOLE, After.ABORT), Answer.status(204));
        Recorder recorder = new Recorder();
        connect(FAST.withMaxAttempts(2), recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.NoContent());
        assertThat(recorder.errors).hasSize(3);
    }

    @Test
    void aLineOverTheLimitEndsTheSourceWithoutReconnecting() throws Exception {
        server.answer(Answer.events("data: ok\n\ndata: " + "x".repeat(100) + "\n\n"));
        Recorder recorder = new Recorder();
        connect(FAST.withMaxLineSize(64), recorder);
        StreamEnd end = recorder.awaitClosed();
        assertThat(end).isEqualTo(new StreamEnd.TooLarge("maxLineSize", 64));
        assertThat(end.reason()).isEqualTo("a line exceeded maxLineSize (64 bytes); raise EventSourceOptions.maxLineSize");
        assertThat(recorder.data()).containsExactly("ok");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void anEventOverTheLimitEndsTheSource() throws Exception {
        server.answer(Answer.events("data: 12345\ndata: 67890\n\n"));
        Recorder recorder = new Recorder();
        connect(FAST.withMaxEventSize(10), recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.TooLarge("maxEventSize", 10));
    }
}
