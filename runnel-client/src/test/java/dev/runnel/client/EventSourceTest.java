package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.internal.Delivery;
import dev.runnel.testkit.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two ways to consume a source, and closing: promptly, from anywhere, leaving no thread. */
class EventSourceTest {

    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10));
    /** close() must return well within this; it is not a measure of promptness, which is milliseconds. */
    private static final long PROMPT_MILLIS = 2000;

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

    private static long millisToClose(EventSource source) {
        long start = System.nanoTime();
        source.close();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void theListenerHearsOpenEventsCommentsErrorsAndOneClose() throws Exception {
        server.answer(Answer.events(": hi\ndata: a\n\n".getBytes(StandardCharsets.UTF_8), Delivery.WHOLE, After.ABORT),
                Answer.events("data: b\n\n"), Answer.status(204));
        Recorder recorder = new Recorder();
        track(EventSource.connect(server.uri("/"), FAST, recorder));
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.NoContent());
        assertThat(recorder.log).containsExactly("open", "comment:hi", "event:a", "error", "open", "event:b", "closed");
        assertThat(recorder.opens.getFirst().statusCode()).isEqualTo(200);
        assertThat(recorder.opens.getFirst().headers().firstValue("content-type")).contains("text/event-stream");
        assertThat(recorder.closedCalls).hasValue(1);
    }

    @Test
    void closeStopsTheListenerAndCallsOnClosedOnceBeforeReturning() throws Exception {
        server.answer(Answer.events("data: a\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        EventSource source = EventSource.connect(server.uri("/"), FAST, recorder);
        recorder.next(HttpResponse.ResponseInfo.class);
        recorder.next(MessageEvent.class);
        assertThat(millisToClose(source)).isLessThan(PROMPT_MILLIS);
        assertThat(recorder.isClosed()).isTrue();
        assertThat(source.end()).contains(new StreamEnd.Closed());
        assertThat(recorder.log).containsExactly("open", "event:a", "closed");
        server.awaitClientClose(Recorder.WAIT);
        source.close();
        assertThat(recorder.closedCalls).hasValue(1);
    }

    @Test
    void closeWhileConnectingIsPrompt() throws Exception {
        server.answer(Answer.silence());
        Recorder recorder = new Recorder();
        EventSource source = EventSource.connect(server.uri("/"), FAST, recorder);
        server.takeRequest();
        assertThat(millisToClose(source)).isLessThan(PROMPT_MILLIS);
        assertThat(recorder.log).containsExactly("closed");
        assertThat(source.end()).contains(new StreamEnd.Closed());
    }

    @Test
    void closeWhileWaitingToReconnectIsPrompt() throws Exception {
        server.answer(Answer.events("retry: 600000\ndata: a\n\n".getBytes(StandardCharsets.UTF_8), Delivery.WHOLE, After.ABORT));
        Recorder recorder = new Recorder();
        EventSource source = EventSource.connect(server.uri("/"), FAST, recorder);
        recorder.next(HttpResponse.ResponseInfo.class);
        recorder.next(MessageEvent.class);
        recorder.next(Throwable.class); // the source now waits 10 minutes
        assertThat(millisToClose(source)).isLessThan(PROMPT_MILLIS);
        assertThat(recorder.log).containsExactly("open", "event:a", "error", "closed");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void theListenerMayCloseTheSource() throws Exception {
        server.answer(Answer.events("data: 1\n\ndata: 2\n\ndata: 3\n\n").then(After.HOLD));
        Recorder recorder = new Recorder() {
            @Override
            public void onEvent(EventSource source, MessageEvent event) {
                super.onEvent(source, event);
                if (event.data().equals("2")) {
                    source.close();
                }
            }
        };
        track(EventSource.connect(server.uri("/"), FAST, recorder));
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.Closed());
        assertThat(recorder.log).containsExactly("open", "event:1", "event:2", "closed");
    }

    @Test
    void aListenerThatThrowsEndsTheSourceWithItsException() throws Exception {
        server.answer(Answer.events("data: 1\n\ndata: 2\n\n").then(After.HOLD));
        Recorder recorder = new Recorder() {
            @Override
            public void onEvent(EventSource source, MessageEvent event) {
                super.onEvent(source, event);
                throw new IllegalStateException("boom");
            }
        };
        track(EventSource.connect(server.uri("/"), FAST, recorder));
        StreamEnd end = recorder.awaitClosed();
        assertThat(end).isInstanceOfSatisfying(StreamEnd.Failed.class,
                f -> assertThat(f.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom"));
        assertThat(end.reason()).isEqualTo("the listener or the source threw IllegalStateException: boom");
        assertThat(recorder.log).containsExactly("open", "event:1", "closed");
        server.awaitClientClose(Recorder.WAIT);
    }

    @Test
    void iteratingReadsEveryEventThenEndsWithTheStream() throws Exception {
        server.answer(Answer.events("id: 1\ndata: a\n\n: comment\nevent: x\ndata: b\n\n"));
        List<MessageEvent> events = new ArrayList<>();
        EventSource source = track(EventSource.open(server.uri("/"), FAST.withReconnect(false)));
        for (MessageEvent event : source) {
            events.add(event);
        }
        assertThat(source.end()).contains(new StreamEnd.Ended());
        assertThat(source.lastEventId()).isEqualTo("1");
        assertThat(events).containsExactly(new MessageEvent("message", "a", "1"), new MessageEvent("x", "b", "1"));
    }

    @Test
    void nothingHappensUntilTheFirstHasNext() throws Exception {
        server.answer(Answer.events("data: a\n\n"));
        EventSource source = track(EventSource.open(server.uri("/"), FAST.withReconnect(false)));
        Iterator<MessageEvent> events = source.iterator();
        assertThat(server.connections()).isZero();
        assertThat(events.next().data()).isEqualTo("a");
        assertThat(events.hasNext()).isFalse();
        assertThatThrownBy(events::next).isInstanceOf(NoSuchElementException.class)
                .hasMessage("the source has ended: the server ended the stream");
    }

    @Test
    void theEventsStreamReconnectsAndClosingItClosesTheSource() throws Exception {
        server.answer(Answer.events("id: 1\ndata: a\n\n"), Answer.events("data: b\n\ndata: c\n\n").then(After.HOLD));
        EventSource source = EventSource.open(server.uri("/"), FAST);
        try (Stream<MessageEvent> events = source.events()) {
            assertThat(events.limit(3).map(MessageEvent::data)).containsExactly("a", "b", "c");
        }
        assertThat(source.end()).contains(new StreamEnd.Closed());
        server.awaitClientClose(Recorder.WAIT);
    }

    @Test
    void closeFromAnotherThreadEndsABlockedHasNext() throws Exception {
        server.answer(Answer.events("data: a\n\n").then(After.HOLD));
        EventSource source = EventSource.open(server.uri("/"), FAST);
        CountDownLatch first = new CountDownLatch(1);
        CompletableFuture<List<String>> read = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            List<String> data = new ArrayList<>();
            for (MessageEvent event : source) {
                data.add(event.data());
                first.countDown();
            }
            read.complete(data);
        });
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(millisToClose(source)).isLessThan(PROMPT_MILLIS);
        assertThat(read.get(PROMPT_MILLIS, TimeUnit.MILLISECONDS)).containsExactly("a");
        assertThat(source.end()).contains(new StreamEnd.Closed());
    }

    @Test
    void interruptingTheIteratingThreadClosesTheSource() throws Exception {
        server.answer(Answer.events("data: a\n\n").then(After.HOLD));
        EventSource source = EventSource.open(server.uri("/"), FAST);
        CountDownLatch first = new CountDownLatch(1);
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            for (MessageEvent ignored : source) {
                first.countDown();
            }
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        reader.interrupt();
        assertThat(stillInterrupted.get(PROMPT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(source.end()).contains(new StreamEnd.Closed());
        server.awaitClientClose(Recorder.WAIT);
    }

    @Test
    void aSourceIsConsumedOneWayOnly() throws Exception {
        server.answer(Answer.silence());
        try (EventSource listened = EventSource.connect(server.uri("/"), FAST, new Recorder())) {
            assertThatThrownBy(listened::iterator).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("delivers to its listener");
        }
        try (EventSource iterated = EventSource.open(server.uri("/"), FAST)) {
            iterated.iterator();
            assertThatThrownBy(iterated::iterator).isInstanceOf(IllegalStateException.class).hasMessage("a source can be iterated once");
        }
    }

    @Test
    void closeLeavesNoThreadBehind() throws Exception {
        int clientThreads = LiveThreads.named("HttpClient-");
        server.answer(Answer.events("data: a\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        EventSource listened = EventSource.connect(server.uri("/"), FAST, recorder);
        EventSource iterated = EventSource.open(server.uri("/"), FAST);
        Iterator<MessageEvent> events = iterated.iterator();
        recorder.next(HttpResponse.ResponseInfo.class);
        assertThat(events.next().data()).isEqualTo("a");
        assertThat(LiveThreads.named("runnel-client-")).isEqualTo(1);
        assertThat(LiveThreads.named("HttpClient-")).isGreaterThan(clientThreads);
        listened.close();
        iterated.close();
        assertThat(LiveThreads.named("runnel-client-")).isZero();
        // at most: a client another test shut down may finish stopping meanwhile. close() waits for the
        // client's selector thread (HttpClient.awaitTermination joins only that one); its worker threads
        // may take a moment more to exit after their last task, so wait for them, briefly
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (LiveThreads.named("HttpClient-") > clientThreads && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(LiveThreads.named("HttpClient-")).isLessThanOrEqualTo(clientThreads);
    }

    @Test
    void aSharedHttpClientIsLeftOpen() throws Exception {
        server.answer(Answer.events("data: a\n\n"));
        HttpClient shared = HttpClient.newHttpClient();
        try {
            EventSource source = EventSource.open(server.uri("/"), FAST.withReconnect(false).withHttpClient(shared));
            assertThat(source.iterator().next().data()).isEqualTo("a");
            source.close();
            assertThat(shared.isTerminated()).isFalse();
        } finally {
            shared.shutdownNow();
            shared.awaitTermination(Duration.ofSeconds(5));
        }
    }

    @Test
    void onlyHttpAndHttpsUrisAreAccepted() {
        assertThatThrownBy(() -> EventSource.open(URI.create("ftp://127.0.0.1/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> EventSource.open(URI.create("/relative")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsRefuseWhatCannotBeSent() {
        assertThatThrownBy(() -> FAST.withHeader("Host", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EventSourceOptions.headers").hasMessageContaining("Host");
        assertThatThrownBy(() -> FAST.withHeader("X-A", "a\r\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FAST.withLastEventId("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lastEventId");
        assertThatThrownBy(() -> FAST.withRetry(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retry");
        assertThatThrownBy(() -> FAST.withMaxAttempts(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> FAST.withMaxLineSize(10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLineSize");
    }
}
