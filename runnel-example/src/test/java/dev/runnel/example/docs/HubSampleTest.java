package dev.runnel.example.docs;

import dev.runnel.hub.Hub;
import dev.runnel.hub.Published;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample of docs/HUB.md, {@link HubSample}, served on a free port: a subscriber over real HTTP gets the published fragment. */
class HubSampleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private RunnelServer server;

    @BeforeEach
    void start() {
        server = HubSample.newsServer(0);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void aSubscriberOfTheNewsTopicReceivesThePublishedHeadlineEscapedWithItsHubId() throws Exception {
        Hub hub = server.engine().hub();
        try (RawSseClient subscriber = RawSseClient.get(server.uri().resolve("/sse/topic/news"))) {
            assertThat(subscriber.status()).isEqualTo(200);
            Await.until(() -> hub.subscribers("news") == 1, "the subscriber is registered", WAIT);

            Published published = HubSample.headline(hub, "Rain & <wind> in Zürich");

            assertThat(published.subscribers()).isEqualTo(1);
            assertThat(published.id()).matches("[0-9a-z]+-1");
            String text = subscriber.awaitText("</h2>\n\n", WAIT);
            assertThat(text).endsWith("event: headline\nid: " + published.id()
                    + "\ndata: <h2>Rain &amp; &lt;wind&gt; in Zürich</h2>\n\n");
        }
    }
}
