package dev.runnel.reliability;

import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The chaos soak's bookkeeping: what counts as lost, duplicated and out of order, driven by hand. */
class ChaosSoakTest {

    private final ChaosStats stats = new ChaosStats();
    private final ChaosClient client = new ChaosClient(List.of(URI.create("http://127.0.0.1:1/sse/topic/chaos")),
            EventSourceOptions.DEFAULTS, stats);
    private final Map<Long, ChaosPublisher.Sent> sent = new HashMap<>();

    /** Publish {@code n}, sent now and answered at once, {@code 2xx} or not. */
    private void published(long n, boolean acknowledged) {
        long now = System.nanoTime();
        sent.put(n, new ChaosPublisher.Sent(now, now + 1, acknowledged));
    }

    private void event(long n, String id) {
        client.onEvent(null, new MessageEvent("message", Long.toString(n), id));
    }

    private long lost() {
        return ChaosSoak.countLost(List.of(client), sent.size(), sent::get, stats);
    }

    @Test
    void anAcknowledgedPublishSentWhileSubscribedAndNeverReceivedIsLost() {
        client.onOpen(null, null);
        published(1, true);
        published(2, true);
        published(3, true);
        event(1, "9-1");
        event(3, "9-3");

        assertThat(lost()).isEqualTo(1);
        assertThat(stats.firstViolations()).singleElement().asString().startsWith("publish 2 acknowledged");
    }

    @Test
    void aRefusedPublishOrOneSentBeforeTheClientSubscribedIsNotLost() {
        published(1, true); // before the client's stream opened
        client.onOpen(null, null);
        published(2, false); // answered 503
        published(3, true);
        event(3, "9-3");

        assertThat(lost()).isZero();
    }

    @Test
    void aResetExcusesWhatCameAfterTheLastEventBeforeItAndBeforeTheFirstAfterIt() {
        client.onOpen(null, null);
        published(1, true);
        event(1, "9-1");
        published(2, true);
        client.onEvent(null, new MessageEvent("runnel:reset", "{\"reason\":\"unknown\"}", "10-0"));
        published(3, true);
        event(4, "10-1");
        published(4, true);
        published(5, true); // after the first event after the reset: the client must get it

        assertThat(lost()).as("2 and 3 are excused, 5 is not").isEqualTo(1);
        assertThat(stats.resets.sum()).isEqualTo(1);
    }

    @Test
    void anIdThatDoesNotGrowIsOutOfOrderAndANumberAgainIsDuplicated() {
        client.onOpen(null, null);
        event(1, "9-1");
        event(2, "9-3");
        event(3, "9-2");
        event(3, "9-4");

        assertThat(stats.outOfOrder.sum()).isEqualTo(1);
        assertThat(stats.duplicated.sum()).isEqualTo(1);
        assertThat(stats.delivered.sum()).isEqualTo(4);
    }
}
