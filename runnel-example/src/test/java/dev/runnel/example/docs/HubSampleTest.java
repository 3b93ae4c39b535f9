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

    @Test
    void theSelectorSampleGivesTheOwnersPrivateBookUpdateToTheOwnerOnlyAndResumesAfterItsId() throws Exception {
        dev.runnel.SseEngine engine = HubSample.engineWithPublisherIds();
        RunnelServer books = RunnelServer.builder().port(0).engine(engine).build();
        books.sse("/books/{user}", request -> HubSample.books(engine.hub(), request, request.pathParam("user")));
        books.start();
        try (RawSseClient ada = RawSseClient.get(books.uri().resolve("/books/ada"));
             RawSseClient bob = RawSseClient.get(books.uri().resolve("/books/bob"))) {
            assertThat(ada.header("X-Resumed")).isEqualTo("NONE");
            Await.until(() -> engine.hub().publish(dev.runnel.hub.Update.of("https://example.com/books/0", "probe")).subscribers() == 2,
                    "both subscribed", WAIT);

            Published mine = HubSample.bookChanged(engine.hub(), "1", "{\"title\":\"Über\"}", "ada");
            Published next = HubSample.bookChanged(engine.hub(), "2", "{\"title\":\"Zwei\"}", "ada");

            assertThat(ada.awaitText(next.id(), WAIT)).contains("id: " + mine.id() + "\ndata: {\"title\":\"Über\"}");
            assertThat(bob.text()).doesNotContain("Über");
            try (RawSseClient back = RawSseClient.get(books.uri().resolve("/books/ada"), java.util.Map.of("Last-Event-ID", mine.id()))) {
                assertThat(back.header("X-Resumed")).isEqualTo("FOUND");
                assertThat(back.awaitText(next.id(), WAIT)).doesNotContain("Über").contains("Zwei");
            }
        } finally {
            books.stop();
        }
    }
}
