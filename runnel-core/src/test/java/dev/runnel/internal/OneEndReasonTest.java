package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.EngineMetrics.EndReason;
import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.TracePhase;
import dev.runnel.transport.SseTransport;
import dev.runnel.transport.WriteTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics and the trace sink are told one and the same reason for a stream's end. */
class OneEndReasonTest {

    private SseEngine engine;
    private final AtomicReference<EndReason> metricsReason = new AtomicReference<>();
    private final Map<TracePhase, Object> traced = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private SseEngine engine() {
        engine = SseEngine.builder()
                .trace((id, phase, payload) -> {
                    if (payload.containsKey("reason")) {
                        traced.put(phase, payload.get("reason"));
                    }
                })
                .metrics(new EngineMetrics() {
                    @Override
                    public void streamEnded(String route, List<String> topics, EndReason reason, long nanos, long events, long bytes) {
                        metricsReason.set(reason);
                    }
                })
                .build();
        return engine;
    }

    /** A transport that hands its disconnect listener out, and fails writes as it is told. */
    private static class Transport implements SseTransport {
        final CountDownLatch listening = new CountDownLatch(1);
        volatile Runnable gone;

        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int status, Map<String, String> headers) {
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
        }

        @Override
        public void complete() {
        }

        @Override
        public void abort(Throwable cause) {
        }

        @Override
        public void onDisconnect(Runnable listener) {
            gone = listener;
            listening.countDown();
        }
    }

    @Test
    void aClientThatLeftIsClientClosedForMetricsAndTraceAlike() throws Exception {
        SseEngine e = engine();
        Transport transport = new Transport();
        Thread serving = Thread.ofVirtual().start(() -> e.serve(transport, RequestContext.of("/s"),
                r -> EventStream.producer(out -> Thread.sleep(60_000))));
        assertThat(transport.listening.await(10, TimeUnit.SECONDS)).isTrue();

        transport.gone.run();
        serving.join(Duration.ofSeconds(10));

        assertThat(serving.isAlive()).isFalse();
        assertThat(metricsReason.get()).isEqualTo(EndReason.CLIENT_CLOSED);
        assertThat(traced).containsEntry(TracePhase.CANCELLED, "client_closed").containsEntry(TracePhase.CLOSED, "client_closed");
    }

    @Test
    void aTimedOutWriteIsAWriteTimeoutForMetricsAndTraceAlike() {
        SseEngine e = engine();
        Transport transport = new Transport() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                throw new WriteTimeoutException(Duration.ofMillis(5));
            }
        };

        e.serve(transport, RequestContext.of("/s"), r -> EventStream.producer(out -> out.emit("never arrives")));

        assertThat(metricsReason.get()).isEqualTo(EndReason.WRITE_TIMEOUT);
        assertThat(traced).containsEntry(TracePhase.CLOSED, "write_timeout");
    }
}
