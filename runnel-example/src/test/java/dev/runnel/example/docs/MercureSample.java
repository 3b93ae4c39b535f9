package dev.runnel.example.docs;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.mercure.jetty.MercureRoutes;

import java.util.List;

/** The sample of docs/MERCURE.md: a Mercure hub mounted on the embedded server, next to the application's routes. */
final class MercureSample {

    private MercureSample() {
    }

    // docs:begin mount
    static RunnelServer serverWithMercure(int port, String publisherKey) {
        SseEngine engine = SseEngine.builder()
                .hub(HubOptions.DEFAULTS.withPublisherIds(true))   // Mercure updates carry their own ids
                .build();
        MercureOptions options = MercureOptions.builder()
                .jwt("HS256", publisherKey)                         // one key for publishers and subscribers
                .anonymous(true)                                    // public updates without a token
                .corsOrigins(List.of("https://app.example.com"))
                .build();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).build();
        MercureRoutes.mount(server, MercureHub.of(engine.hub(), options));  // /.well-known/mercure
        return server.start();
    }
    // docs:end mount
}
