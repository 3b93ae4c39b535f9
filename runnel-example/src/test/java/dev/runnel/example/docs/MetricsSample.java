package dev.runnel.example.docs;

import dev.runnel.SseEngine;
import dev.runnel.micrometer.RunnelMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** The sample of docs/OBSERVABILITY.md: an engine that reports to Micrometer. */
final class MetricsSample {

    private MetricsSample() {
    }

    static SseEngine measured(MeterRegistry meterRegistry) {
        // docs:begin metrics
        SseEngine engine = SseEngine.builder().metrics(new RunnelMetrics(meterRegistry)).build();
        // docs:end metrics
        return engine;
    }
}
