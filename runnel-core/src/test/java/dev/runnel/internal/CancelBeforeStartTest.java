package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.TracePhase;
import dev.runnel.transport.SseTransport;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A stream closed while its headers and retry event are written, before its source starts. */
class CancelBeforeStartTest {

    @Test
    void aStreamCancelledBeforeItsSourceStartedEndsNormallyAndClosesTheSource() {
        List<TracePhase> phases = new CopyOnWriteArrayList<>();
        AtomicReference<EngineMetrics.EndReason> ended = new AtomicReference<>();
        SseEngine engine = SseEngine.builder()
                .retry(Duration.ofSeconds(1))
                .trace((id, phase, payload) -> phases.add(phase))
                .metrics(new EngineMetrics() {
                    @Override
                    public void streamEnded(String route, List<String> topics, EndReason reason, long nanos, long events, long bytes) {
                        ended.set(reason);
                    }
                })
                .build();
        AtomicInteger closed = new AtomicInteger();
        // the application closes the stream while its retry event is being written
        SseTransport transport = new SseTransport() {
            @Override
            public boolean isHttp1() {
                return true;
            }

            @Override
            public void start(int status, Map<String, String> headers) {
            }

            @Override
            public void write(ByteBuffer bytes) {
                engine.closeStreams(r -> true);
            }

            @Override
            public void complete() {
            }

            @Override
            public void abort(Throwable cause) {
            }

            @Override
            public void onDisconnect(Runnable listener) {
            }
        };

        engine.serve(transport, RequestContext.of("/s"), r -> EventStream.of(Stream.of("never sent").onClose(closed::incrementAndGet)));

        assertThat(phases).endsWith(TracePhase.CANCELLED, TracePhase.CLOSED);
        assertThat(ended.get()).isEqualTo(EngineMetrics.EndReason.CLOSED_BY_APPLICATION);
        assertThat(closed).as("the source's close handler ran once").hasValue(1);
        assertThat(engine.openStreams()).isZero();
    }
}
