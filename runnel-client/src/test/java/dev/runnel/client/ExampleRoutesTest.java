package dev.runnel.client;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.hub.Hub;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconnection against the embedded server with the routes of the example's demo ({@code DemoServer}):
 * ticks with ids, the retry meta event, {@code 204}, and a hub topic resumed by {@code Last-Event-ID}.
 */
class ExampleRoutesTest {

    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10));

    private RunnelServer server;
    private SseEngine engine;
    /** Released by a test to let a reconnect (a request with Last-Event-ID) through. */
    private final CountDownLatch letReconnectsIn = new CountDownLatch(1);
    private final BlockingQueue<String> lastEventIds = new LinkedBlockingQueue<>();

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
    void start() {
        engine = SseEngine.builder().closeEvent("done").build();
        server = RunnelServer.builder().port(0).engine(engine).before(this::holdReconnects).build();
        Hub hub = engine.hub();
        server.sse("/sse/ticks", req -> {
            int count = req.queryInt("count", 10, 1, 100_000);
            return EventStream.producer(out -> {
                for (int i = 1; i <= count; i++) {
                    out.emit(SseEvent.of("tick " + i).withId(Integer.toString(i)));
                }
            });
        });
        server.sse("/sse/retry", req -> EventStream.of("a", "b", "c").retry(Duration.ofMillis(2500)));
        server.get("/sse/gone", req -> new HttpResponse(204, null, null, null));
        server.sse("/sse/topic/{name}", req -> hub.subscribe(req, List.of(req.pathParam("name").split(",", -1))));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private RequestContext holdReconnects(RequestContext request) {
        request.lastEventId().ifPresent(id -> {
            lastEventIds.add(id);
            try {
                letReconnectsIn.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return request;
    }

    private URI uri(String path) {
        return URI.create(server.uri() + path);
    }

    @Test
    void ticksArriveWithTheirIdsThenTheCloseEvent() {
        List<MessageEvent> events;
        StreamEnd end;
        EventSource source = track(EventSource.open(uri("/sse/ticks?count=3"), FAST.withReconnect(false)));
        events = source.events().toList();
        end = source.end().orElseThrow();
        assertThat(events).containsExactly(
                new MessageEvent("message", "tick 1", "1"),
                new MessageEvent("message", "tick 2", "2"),
                new MessageEvent("message", "tick 3", "3"),
                new MessageEvent("done", "complete", "3"));
        assertThat(end).isEqualTo(new StreamEnd.Ended());
    }

    @Test
    void aReconnectSendsTheLastTickId() throws Exception {
        letReconnectsIn.countDown();
        Recorder recorder = new Recorder();
        track(EventSource.connect(uri("/sse/ticks?count=2"), FAST, recorder));
        recorder.awaitEventData(4);
        assertThat(lastEventIds.poll(10, TimeUnit.SECONDS)).isEqualTo("2");
    }

    @Test
    void theRetryMetaEventSetsTheReconnectionTime() throws Exception {
        letReconnectsIn.countDown();
        Recorder recorder = new Recorder();
        track(EventSource.connect(uri("/sse/retry"), FAST.withRetry(Duration.ofSeconds(60)), recorder));
        recorder.next(java.net.http.HttpResponse.ResponseInfo.class);
        assertThat(recorder.next(MessageEvent.class)).isEqualTo(new MessageEvent("runnel:meta", "retry", ""));
        recorder.next(MessageEvent.class);
        recorder.next(MessageEvent.class);
        recorder.next(MessageEvent.class);
        assertThat(recorder.next(MessageEvent.class).type()).isEqualTo("done");
        long streamDone = System.nanoTime();
        recorder.next(java.net.http.HttpResponse.ResponseInfo.class);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - streamDone);
        assertThat(waited).isGreaterThanOrEqualTo(2500).isLessThan(60_000);
    }

    @Test
    void noContentStopsTheSource() throws Exception {
        Recorder recorder = new Recorder();
        track(EventSource.connect(uri("/sse/gone"), FAST, recorder));
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.NoContent());
        assertThat(recorder.log).containsExactly("closed");
    }

    @Test
    void aTopicResumesAfterTheLastEventIdWithNothingLostOrRepeated() throws Exception {
        Hub hub = engine.hub();
        Recorder recorder = new Recorder();
        EventSource source = track(EventSource.connect(uri("/sse/topic/news"), FAST, recorder));
        recorder.next(java.net.http.HttpResponse.ResponseInfo.class);
        awaitSubscribers(hub, 1);
        String first = hub.publish("news", "one").id();
        String second = hub.publish("news", "two").id();
        assertThat(recorder.awaitEventData(2)).containsExactly("one", "two");

        assertThat(engine.closeStreams(request -> true)).isEqualTo(1);
        // the reconnect waits in the server's before hook while these are published
        assertThat(lastEventIds.poll(10, TimeUnit.SECONDS)).isEqualTo(second);
        String third = hub.publish("news", "three").id();
        String fourth = hub.publish("news", "four").id();
        letReconnectsIn.countDown();

        assertThat(recorder.awaitEventData(4)).containsExactly("one", "two", "three", "four");
        assertThat(recorder.events.stream().map(MessageEvent::lastEventId)).containsExactly(first, second, third, fourth);
        assertThat(source.lastEventId()).isEqualTo(fourth);
    }

    private static void awaitSubscribers(Hub hub, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.subscribers("news") < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no subscriber within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
