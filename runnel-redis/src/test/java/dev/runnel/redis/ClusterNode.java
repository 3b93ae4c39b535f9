package dev.runnel.redis;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One node of a test cluster, the same in this JVM or in a child one ({@link #main}): {@code GET /t/{topic}}
 * subscribes to a topic (heartbeat every second), {@code POST /publish/{topic}} publishes the body as the
 * event's data and answers {@code 200} with the event's id ({@code 503} while Redis cannot store it).
 */
final class ClusterNode {

    private ClusterNode() {
    }

    /** A started node on {@code port} ({@code 0}: any) whose hub is on the Redis at {@code redis}. */
    static RunnelServer start(URI redis, int port, int replay) {
        SseEngine engine = SseEngine.builder()
                .hub(HubOptions.DEFAULTS.withReplay(replay, Duration.ofMinutes(10)))
                .hubLog(RedisHubLog.connect(redis))
                .build();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).http2(false).build();
        server.sse("/t/{topic}", req -> engine.hub().subscribe(req, List.of(req.pathParam("topic")))
                .heartbeat(Duration.ofSeconds(1)));
        server.post("/publish/{topic}", req -> {
            Published p = engine.hub().publish(req.context().pathParam("topic"), new String(req.body(), StandardCharsets.UTF_8));
            return HttpResponse.text(200, p.id());
        });
        server.start();
        return server;
    }

    /** A node in a JVM of its own: args REDIS_URI [REPLAY]; prints {@code PORT p}; stops when stdin ends. */
    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        RunnelServer server = start(URI.create(args[0]), 0, args.length > 1 ? Integer.parseInt(args[1]) : 10_000);
        System.out.println("PORT " + server.port());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // the parent holds stdin open for as long as this node should live
            }
        } finally {
            server.stop();
        }
    }
}
