package dev.runnel.internal;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What an engine owns: its clock's thread, started with it and ended by its close, and the timed trimming of its hub. */
class EngineOwnershipTest {

    private static Set<Thread> runnelThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("runnel-")) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void anEnginesClockThreadStartsWithItAndEndsWhenItCloses() throws Exception {
        Set<Thread> before = runnelThreads();
        SseEngine engine = SseEngine.builder().build();
        Set<Thread> started = runnelThreads();
        started.removeAll(before);
        try {
            assertThat(started).as("threads the engine started").extracting(Thread::getName)
                    .singleElement().asString().startsWith("runnel-clock-");
        } finally {
            engine.close();
        }
        for (Thread t : started) {
            t.join(Duration.ofSeconds(5));
            assertThat(t.isAlive()).as(t.getName() + " alive after the engine closed").isFalse();
        }
    }

    @Test
    void twoEnginesHaveAClockEach() {
        SseEngine first = SseEngine.builder().build();
        Set<Thread> before = runnelThreads();
        SseEngine second = SseEngine.builder().build();
        Set<Thread> started = runnelThreads();
        started.removeAll(before);
        first.close();
        second.close();
        assertThat(started).hasSize(1);
    }

    @Test
    void anIdleTopicsEventsExpireOnTheEnginesClockWithoutAnyPublishOrResume() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withReplay(100, Duration.ofMillis(200))).build();
        try {
            TopicHub hub = (TopicHub) engine.hub();
            for (String value : List.of("a", "b", "c")) {
                hub.publish("quiet", value);
            }
            assertThat(hub.topicCount()).as("held for replay").isEqualTo(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hub.topicCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(hub.topicCount()).as("topics left once their events are older than the replay age").isZero();
        } finally {
            engine.close();
        }
    }
}
