package dev.runnel.example.docs;

import dev.runnel.Fragment;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Published;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.pebble.PebbleFragments;

import java.util.Map;

/** The sample of docs/HUB.md: a topic route, and a publish of a Pebble fragment to it. */
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
}
