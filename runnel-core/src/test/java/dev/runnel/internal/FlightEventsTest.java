package dev.runnel.internal;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.hub.HubOptions;
import dev.runnel.transport.SseTransport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Flight Recorder events, recorded to a file and read back. */
class FlightEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aStreamIsRecordedWhenItOpensAndWhenItClosesWithItsReasonAndCounts() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RequestContext request = RequestContext.of("/sse/feed/news").withPathParams(Map.of("name", "news"));
        TestTransport transport = new TestTransport();
        List<RecordedEvent> events = record(() -> engine.serve(transport, request, r -> EventStream.of("a", "b")));

        RecordedEvent opened = only(events, "dev.runnel.StreamOpened");
        assertThat(opened.getString("route")).isEqualTo("/sse/feed/{name}");
        assertThat(opened.getString("path")).isEqualTo("/sse/feed/news");
        assertThat(opened.getString("topics")).isEmpty();
        RecordedEvent closed = only(events, "dev.runnel.StreamClosed");
        assertThat(closed.getLong("streamId")).isEqualTo(opened.getLong("streamId"));
        assertThat(closed.getString("reason")).isEqualTo("completed");
        assertThat(closed.getLong("events")).isEqualTo(2);
        assertThat(closed.getLong("bytes")).isEqualTo(SseEvent.of("a").encode().length + SseEvent.of("b").encode().length);
        assertThat(closed.getDuration("streamDuration")).isPositive();
        assertThat(closed.getEventType().getCategoryNames()).containsExactly("Runnel");
    }

    @Test
    void aRefusedRequestIsRecordedWithItsStatus() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RequestContext request = new RequestContext("GET", "/sse/feed", null, null,
                Map.of("Accept", List.of("application/json")), null, null, null, null);
        List<RecordedEvent> events = record(() -> engine.serve(new TestTransport(), request, r -> EventStream.of("a")));

        RecordedEvent refused = only(events, "dev.runnel.StreamRefused");
        assertThat(refused.getInt("status")).isEqualTo(406);
        assertThat(refused.getString("reason")).isEqualTo("not_acceptable");
        assertThat(events).noneMatch(e -> e.getEventType().getName().equals("dev.runnel.StreamOpened"));
    }

    @Test
    void aResumeIsRecordedAsAReplayAndAFullQueueAsASlowClientCutOff() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withQueueLimits(2, 1024)).build();
        String first = engine.hub().publish("news", "old 1").id();
        engine.hub().publish("news", "old 2");
        RequestContext request = new RequestContext("GET", "/t/news", null, null,
                Map.of("Last-Event-ID", List.of(first)), Map.of("topics", "news"), null, null, null);
        TestTransport stalled = new TestTransport();
        stalled.stallWrites();

        List<RecordedEvent> events = record(() -> {
            Thread serving = Thread.ofVirtual().start(() -> engine.serve(stalled, request, r -> engine.hub().subscribe(r, "news")));
            // the writer is stuck on the replayed "old 2": two more events fill the queue, the third overflows it
            assertThat(stalled.writing.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 3; i++) {
                engine.hub().publish("news", "new " + i);
            }
            assertThat(serving.join(WAIT)).as("the cut-off stream ended").isTrue();
        });

        RecordedEvent replay = only(events, "dev.runnel.Replay");
        assertThat(replay.getString("topics")).isEqualTo("news");
        assertThat(replay.getString("lastEventId")).isEqualTo(first);
        assertThat(replay.getInt("events")).isEqualTo(1);
        assertThat(replay.getString("resetReason")).isNull();
        RecordedEvent cutOff = only(events, "dev.runnel.SlowClientCutOff");
        assertThat(cutOff.getString("route")).isEqualTo("/t/{topics}");
        assertThat(cutOff.getInt("queuedEvents")).isEqualTo(2);
        assertThat(only(events, "dev.runnel.StreamClosed").getString("reason")).isEqualTo("slow_client");
    }

    @Test
    void aLastEventIdThatCannotBeResumedIsRecordedAsAReplayWithItsResetReason() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RequestContext request = new RequestContext("GET", "/t/news", null, null,
                Map.of("Last-Event-ID", List.of("not an id")), Map.of("topics", "news"), null, null, null);
        TestTransport transport = new TestTransport();
        List<RecordedEvent> events = record(() -> {
            Thread serving = Thread.ofVirtual().start(() -> engine.serve(transport, request, r -> engine.hub().subscribe(r, "news")));
            assertThat(transport.writing.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the reset event written").isTrue();
            engine.shutdown(WAIT);
            assertThat(serving.join(WAIT)).isTrue();
        });

        RecordedEvent replay = only(events, "dev.runnel.Replay");
        assertThat(replay.getString("resetReason")).isEqualTo("malformed");
        assertThat(replay.getInt("events")).isZero();
        assertThat(only(events, "dev.runnel.StreamClosed").getString("reason")).isEqualTo("shutdown");
    }

    // ---- fixture -------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} under a recording of Runnel's events, dumps it to a file and reads it back. */
    private List<RecordedEvent> record(Action action) throws Exception {
        Path file = dir.resolve("runnel.jfr");
        try (Recording recording = new Recording()) {
            for (Class<? extends jdk.jfr.Event> type : List.of(FlightEvents.StreamOpened.class, FlightEvents.StreamClosed.class,
                    FlightEvents.StreamRefused.class, FlightEvents.SlowClientCutOff.class, FlightEvents.Replay.class)) {
                recording.enable(type);
            }
            recording.start();
            action.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.runnel."))
                .toList();
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
        assertThat(found).as(name + " events in " + events).hasSize(1);
        return found.getFirst();
    }

    /** A response that discards what is written; {@link #stallWrites()} makes writes block until the response is aborted. */
    private static final class TestTransport implements SseTransport {
        final CountDownLatch writing = new CountDownLatch(1);
        private final CountDownLatch aborted = new CountDownLatch(1);
        private volatile boolean stall;

        void stallWrites() {
            stall = true;
        }

        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int status, Map<String, String> headers) {
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            writing.countDown();
            if (stall) {
                try {
                    aborted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("connection aborted");
            }
        }

        @Override
        public void complete() {
        }

        @Override
        public void abort(Throwable cause) {
            aborted.countDown();
        }

        @Override
        public void onDisconnect(Runnable listener) {
        }
    }
}
