package dev.runnel.reliability;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.redis.RedisHubLog;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A node of the chaos soak, in a JVM of its own so it can be killed, stopped and measured alone: the
 * hub on the soak's Redis, {@code GET /sse/topic/{name}} to subscribe and {@code POST /publish/{name}}
 * to publish the body ({@code 200} with the event's id; {@code 503} while Redis cannot store it).
 * Prints {@code PORT p} once listening; the end of stdin stops it.
 */
final class ChaosNode {

    private ChaosNode() {
    }

    /** Arguments: Redis URI, port, replay count, replay age in seconds. */
    public static void main(String[] args) throws Exception {
        // the soak counts what the clients see; the node's warnings about Redis go to its log only
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        URI redis = URI.create(args[0]);
        int port = Integer.parseInt(args[1]);
        HubOptions options = HubOptions.DEFAULTS.withReplay(Integer.parseInt(args[2]), Duration.ofSeconds(Long.parseLong(args[3])));
        SseEngine engine = SseEngine.builder().hub(options).hubLog(RedisHubLog.connect(redis)).build();
        Hub hub = engine.hub();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).http2(false).build();
        server.sse("/sse/topic/{name}", request -> hub.subscribe(request, request.pathParam("name")));
        server.post("/publish/{name}", request -> {
            Published p = hub.publish(request.context().pathParam("name"), new String(request.body(), StandardCharsets.UTF_8));
            return HttpResponse.text(200, p.id());
        });
        server.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // the soak holds stdin open for as long as this node should live
            }
        } finally {
            server.stop();
        }
    }
}
