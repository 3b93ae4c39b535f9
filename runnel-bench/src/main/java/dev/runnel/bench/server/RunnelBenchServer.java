package dev.runnel.bench.server;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.compress.Compression;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.hub.TopicSelector;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.jetty.WarmUp;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.mercure.jetty.MercureRoutes;
import dev.runnel.redis.RedisHubLog;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runnel as the load tool's target: the embedded server with the hub's topic route and a publish
 * route, as the demo has them, and nothing else. {@code GET /sse/topic/{name}} subscribes;
 * {@code POST /publish/{name}} with form field {@code data} publishes the field as the event's data
 * (the load tool puts its timestamp there). {@code GET /sse/select/{key}} subscribes with a selector
 * other than an exact topic: a matcher named {@code key} that takes every topic starting with
 * {@value #SELECT_PREFIX} (the load tool gives each connection a key of its own, so the hub holds one
 * selector per subscriber). {@code GET /stream/tokens?count=N} streams N small
 * events ({@code tok0}, {@code tok1}, ...) from a producer in the server, as fast as the connection
 * takes them. Default engine and server options but one:
 * {@code maxStreams} is raised from its default (the file limit less 10%, 18,000 under a limit of
 * 20,000) to 19,600, so the idle benchmark can hold about 19k streams as it does for the peers.
 *
 * <p>With {@code --redis URI} it is one node of a cluster: the hub's log is {@link RedisHubLog} on that
 * Redis, so an event published on any node reaches the subscribers of every node
 * ({@code bench/cluster.sh} starts six). Lettuce needs Netty, which {@code benchmarks.jar} leaves
 * out, so a node runs from {@code target/classes} and {@code target/classpath.txt}.
 *
 * <p>With {@code --mercure} a {@link MercureHub} is mounted too, at {@value MercureHub#PATH}: anonymous
 * subscribers, publishers with an HS256 token signed with {@link #MERCURE_PUBLISHER_KEY} (one that may
 * publish anywhere: {@link #mercurePublisherToken()}, printed by {@code --mercure-token}), and the hub
 * allows publishers' ids, as Mercure needs; everything else as without it.
 *
 * <p>With {@code --compression zstd,gzip} the topic route ({@code /sse/topic/{name}}) is sent
 * compressed with the first of those codings the request's {@code Accept-Encoding} takes (the
 * compression benchmark); the other routes stay uncompressed. {@code --window-log N} sets every
 * coding's window to 2^N bytes instead of its default.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.server.RunnelBenchServer [PORT] [--mercure] [--compression zstd,gzip]
 * java -cp benchmarks.jar dev.runnel.bench.server.RunnelBenchServer --mercure-token
 * java -cp target/classes:$(cat target/classpath.txt) dev.runnel.bench.server.RunnelBenchServer PORT --redis redis://127.0.0.1:6379
 * </pre>
 */
public final class RunnelBenchServer {

    /** The topics every {@code /sse/select/{key}} subscription takes: those starting with this. */
    public static final String SELECT_PREFIX = "news.";

    /** The HS256 secret of the Mercure hub's publishers (a benchmark's: it guards nothing). */
    public static final String MERCURE_PUBLISHER_KEY = "runnel-bench-mercure-publisher-key-of-32-bytes-or-more";

    private RunnelBenchServer() {
    }

    public static RunnelServer start(int port) {
        return start(port, null);
    }

    /** A node whose hub runs on the Redis at {@code redis}, or on its own when that is null. */
    public static RunnelServer start(int port, URI redis) {
        return start(port, redis, false);
    }

    /** As {@link #start(int, URI)}, with a Mercure hub mounted when {@code mercure}. */
    public static RunnelServer start(int port, URI redis, boolean mercure) {
        return start(port, redis, mercure, Compression.OFF);
    }

    /** As {@link #start(int, URI, boolean)}, the topic route sent with {@code compression}. */
    public static RunnelServer start(int port, URI redis, boolean mercure, Compression compression) {
        SseEngine.Builder builder = SseEngine.builder().maxStreams(19_600)
                .hubLog(redis == null ? null : RedisHubLog.connect(redis));
        if (mercure) {
            builder.hub(HubOptions.DEFAULTS.withPublisherIds(true));
        }
        SseEngine engine = builder.build();
        Hub hub = engine.hub();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).build();
        server.sse("/sse/topic/{name}", request -> hub.subscribe(request, request.pathParam("name")).compression(compression));
        server.sse("/sse/select/{key}", request -> hub.subscribe(request, SubscribeRequest.builder()
                .select(TopicSelector.matching(request.pathParam("key"), topic -> topic.startsWith(SELECT_PREFIX)))
                .resumeAfter(request.lastEventId().orElse(null))
                .build()));
        server.post("/publish/{name}", request -> {
            String data = request.form("data").orElseThrow(() -> new BadRequestException("form field 'data' is required"));
            hub.publish(request.context().pathParam("name"), data);
            return HttpResponse.text(200, "ok");
        });
        if (mercure) {
            MercureRoutes.mount(server, MercureHub.of(hub, MercureOptions.builder()
                    .jwt("HS256", MERCURE_PUBLISHER_KEY).anonymous(true).build()));
        }
        server.sse("/stream/tokens", request -> {
            int count = request.queryInt("count", 1000, 1, Integer.MAX_VALUE);
            return EventStream.producer(out -> {
                for (int i = 0; i < count; i++) {
                    out.emit("tok" + i);
                }
            });
        });
        return server.start();
    }

    /** A publisher's token for the Mercure hub: {@code mercure.publish ["*"]}, no expiry. */
    public static String mercurePublisherToken() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                    new JWTClaimsSet.Builder().claim("mercure", Map.of("publish", List.of("*"))).build());
            jwt.sign(new MACSigner(MERCURE_PUBLISHER_KEY.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the bench publisher's token", e);
        }
    }

    private static boolean onClassPath(String... classNames) {
        for (String name : classNames) {
            try {
                Class.forName(name, false, RunnelBenchServer.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 8090;
        URI redis = null;
        boolean mercure = false;
        boolean warmUp = false;
        Compression compression = Compression.OFF;
        int windowLog = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--mercure-token")) {
                System.out.println(mercurePublisherToken());
                return;
            } else if (args[i].equals("--mercure")) {
                mercure = true;
            } else if (args[i].equals("--warm-up")) {
                warmUp = true;
            } else if (args[i].equals("--compression") && i + 1 < args.length) {
                String codings = args[++i];
                compression = codings.equals("off") ? Compression.OFF : Compression.of(codings.split(","));
            } else if (args[i].equals("--window-log") && i + 1 < args.length) {
                windowLog = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--redis") && i + 1 < args.length) {
                redis = URI.create(args[++i]);
            } else if (args[i].matches("\\d+")) {
                port = Integer.parseInt(args[i]);
            } else {
                System.err.println("usage: RunnelBenchServer [PORT] [--redis redis://HOST:PORT] [--mercure] [--compression zstd,gzip|off [--window-log N]] [--warm-up] | --mercure-token; not understood: " + args[i]);
                System.exit(2);
            }
        }
        if (redis != null && !onClassPath("io.netty.channel.Channel", "reactor.core.publisher.Mono")) {
            System.err.println("--redis needs Lettuce's Netty and Reactor, which benchmarks.jar leaves out: run with"
                    + " -cp runnel-bench/target/classes:$(cat runnel-bench/target/classpath.txt)");
            System.exit(2);
        }
        if (warmUp) {
            WarmUp.Report report = WarmUp.run();
            System.out.println("warm-up: " + report.deliveries() + " deliveries in " + report.took().toMillis() + " ms"
                    + (report.completed() ? "" : ", stopped early: " + report.failure()));
        }
        for (String coding : windowLog > 0 ? compression.codings() : List.<String>of()) {
            compression = compression.withWindowLog(coding, windowLog);
        }
        RunnelServer server = start(port, redis, mercure, compression);
        System.out.println("runnel bench server on " + server.uri() + " pid " + ProcessHandle.current().pid()
                + (redis == null ? "" : ", hub on Redis at " + redis) + (mercure ? ", Mercure hub at " + MercureHub.PATH : "")
                + (compression.codings().isEmpty() ? "" : ", topic route compressed: " + compression.codings()));
        Thread.currentThread().join();
    }
}
