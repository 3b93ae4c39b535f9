package dev.runnel.reliability;

import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** A soak client's checks: it counts a violation for every event lost, repeated or not resumed. */
class SoakClientTest {

    private final SoakStats stats = new SoakStats();
    private final SoakClient client = new SoakClient(URI.create("http://127.0.0.1:1/"), EventSourceOptions.DEFAULTS, stats);

    private void receive(long... sequence) {
        for (long seq : sequence) {
            client.onEvent(null, new MessageEvent("message", Long.toString(seq), "e-" + seq));
        }
    }

    @Test
    void consecutiveEventsAreNoViolation() {
        receive(7, 8, 9);
        assertThat(stats.violations.sum()).isZero();
        assertThat(client.seen()).isEqualTo(9);
    }

    @Test
    void aGapIsCountedAsLostEvents() {
        receive(1, 2, 5);
        assertThat(stats.violations.sum()).isEqualTo(1);
        assertThat(stats.lost.sum()).isEqualTo(2);
        assertThat(stats.firstViolations()).containsExactly("events 3 to 4 lost");
    }

    @Test
    void anEventTwiceOrOutOfOrderIsAViolation() {
        receive(1, 2, 2, 1);
        assertThat(stats.violations.sum()).isEqualTo(2);
    }

    @Test
    void aResetInsteadOfAResumeIsAViolation() {
        receive(1);
        client.onEvent(null, new MessageEvent("runnel:reset", "{\"reason\": \"expired\"}", "e-9"));
        assertThat(stats.violations.sum()).isEqualTo(1);
    }
}
