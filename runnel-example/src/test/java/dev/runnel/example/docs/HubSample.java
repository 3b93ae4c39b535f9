package dev.runnel.example.docs;

import dev.runnel.EventStream;
import dev.runnel.Fragment;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.hub.TopicSelector;
import dev.runnel.hub.Update;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.pebble.PebbleFragments;

import java.util.List;
import java.util.Map;

/** The samples of docs/HUB.md: a topic route and a publish of a Pebble fragment to it; selectors and updates. */
final class HubSample {

    private HubSample() {
    }

    // docs:begin hub
    static RunnelServer newsServer(int port) {
        SseEngine engine = SseEngine.builder()
                .renderer(PebbleFragments.classpath("templates"))
                .closeEvent("done")
                .build();
        Hub hub = engine.hub();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).build();
        server.sse("/sse/topic/{name}", request -> hub.subscribe(request, request.pathParam("name")));
        return server.start();
    }

    // from any thread:
    static Published headline(Hub hub, String title) {
        return hub.publish("news", Fragment.of("news", "headline", Map.of("title", title), "headline"));
    }
    // docs:end hub

    // docs:begin selectors
    static SseEngine engineWithPublisherIds() {
        return SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).build();
    }

    // every book, and the user's own private updates; resuming after the browser's Last-Event-ID
    static EventStream books(Hub hub, RequestContext request, String user) {
        EventStream.Subscribed stream = hub.subscribe(request, SubscribeRequest.builder()
                .select(TopicSelector.matching("https://example.com/books/{id}",
                        topic -> topic.startsWith("https://example.com/books/")))
                .privateSelectors(List.of(TopicSelector.exact("https://example.com/users/" + user)))
                .resumeAfter(request.lastEventId().orElse(null))
                .build());
        // known before any header is written: FOUND, NOT_FOUND (a runnel:reset follows), EARLIEST or NONE
        return stream.header("X-Resumed", stream.resumed().name());
    }

    static Published bookChanged(Hub hub, String id, String json, String owner) {
        return hub.publish(Update.of(List.of("https://example.com/books/" + id, "https://example.com/users/" + owner), json)
                .withId("urn:uuid:" + java.util.UUID.randomUUID())
                .asPrivate());
    }
    // docs:end selectors
}
