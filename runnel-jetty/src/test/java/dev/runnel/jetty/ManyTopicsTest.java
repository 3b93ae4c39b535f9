package dev.runnel.jetty;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 subscriptions to distinct topics over 400 connections (25 topics a stream): every event
 * reaches its one subscriber, and what the hub keeps for replay stays within its byte cap, though
 * ten times that was published.
 */
class ManyTopicsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CONNECTIONS = 400;
    private static final int TOPICS_EACH = 25;
    private static final int REPLAY_CAP = 2 << 20;
    private final List<RawSseClient> clients = new ArrayList<>();
    private RunnelServer server;

    @AfterEach
    void stop() throws IOException {
        for (RawSseClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void tenThousandTopicsOverFourHundredConnectionsEachGetTheirEventsAndReplayStaysUnderTheCap() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withMaxReplayBytes(REPLAY_CAP).withMaxTopics(10_001)).build();
        Hub hub = engine.hub();
        server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/topics/{names}", req -> hub.subscribe(req, List.of(req.pathParam("names").split(","))));
        server.start();
        URI uri = server.uri();

        for (int c = 0; c < CONNECTIONS; c++) {
            List<String> topics = new ArrayList<>();
            for (int t = 0; t < TOPICS_EACH; t++) {
                topics.add(topic(c, t));
            }
            clients.add(RawSseClient.get(uri.resolve("/topics/" + String.join(",", topics))));
        }
        Await.until(() -> engine.openStreams() == CONNECTIONS, CONNECTIONS + " streams open", WAIT);

        // about 20 MB for replay if nothing were dropped: ten times the cap
        String data = "ü".repeat(1000);
        // a probe topic: the event after this id is the oldest of all, the first to go
        String before = hub.publish("probe", "before").id();
        hub.publish("probe", "first:" + data);
        for (int t = 0; t < TOPICS_EACH; t++) {
            for (int c = 0; c < CONNECTIONS; c++) {
                hub.publish(topic(c, t), c + "/" + t + ":" + data);
            }
        }

        List<CompletableFuture<List<WireEvents.Event>>> received = new ArrayList<>();
        for (RawSseClient client : clients) {
            received.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return client.awaitEvents(TOPICS_EACH, WAIT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, task -> Thread.ofVirtual().start(task)));
        }
        for (int c = 0; c < CONNECTIONS; c++) {
            List<WireEvents.Event> events = received.get(c).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(events).hasSize(TOPICS_EACH);
            for (int t = 0; t < TOPICS_EACH; t++) {
                assertThat(events.get(t).data()).isEqualTo(c + "/" + t + ":" + data);
            }
        }
        // the oldest events were let go to stay under the cap: a resume from before them is told so
        try (RawSseClient resumed = RawSseClient.get(uri.resolve("/topics/probe"), Map.of("Last-Event-ID", before))) {
            assertThat(resumed.awaitText("runnel:reset", WAIT)).doesNotContain("first:");
        }
        // and a resume from a recent one still replays: the hub kept what fits
        String recent = hub.publish(topic(1, 0), "recent").id();
        hub.publish(topic(1, 0), "after");
        try (RawSseClient resumed = RawSseClient.get(uri.resolve("/topics/" + topic(1, 0)), Map.of("Last-Event-ID", recent))) {
            assertThat(resumed.awaitText("data: after", WAIT)).doesNotContain("runnel:reset");
        }
    }

    private static String topic(int connection, int index) {
        return "t" + (connection * TOPICS_EACH + index);
    }
}
