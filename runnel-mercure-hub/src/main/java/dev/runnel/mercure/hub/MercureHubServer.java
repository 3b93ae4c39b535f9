package dev.runnel.mercure.hub;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.jetty.DevCertificate;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.mercure.jetty.MercureRoutes;
import dev.runnel.micrometer.RunnelMetrics;
import dev.runnel.redis.RedisHubLog;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The standalone Mercure hub: {@code ./runnel hub} or {@code java -jar runnel-mercure-hub.jar}. The
 * protocol at {@value MercureHub#PATH}, a page at {@code /} (with a live debug view for requests from
 * loopback), {@code /health} and {@code /metrics} (Prometheus); in memory, or on Redis with
 * {@code --redis} so that several hubs serve one set of subscribers. Settings: {@link HubSettings}.
 */
public final class MercureHubServer implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Path DEV_CERT = Path.of(System.getProperty("user.home"), ".runnel", "dev-cert.p12");

    private final RunnelServer server;
    private final SseEngine engine;

    private MercureHubServer(RunnelServer server, SseEngine engine) {
        this.server = server;
        this.engine = engine;
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(HubSettings.USAGE);
            return;
        }
        HubSettings settings;
        try {
            settings = HubSettings.from(List.of(args), System.getenv(), warning -> System.err.println("runnel hub: " + warning));
        } catch (IllegalArgumentException e) {
            System.err.println("runnel hub: " + e.getMessage());
            System.exit(2);
            return;
        }
        MercureHubServer hub;
        try {
            hub = start(settings);
        } catch (RuntimeException e) {
            System.err.println("runnel hub: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(hub::close, "runnel-hub-shutdown"));
        System.out.println("Mercure hub on " + hub.uri().resolve(MercureHub.PATH).toString().replace("://0.0.0.0:", "://localhost:")
                + (settings.redis() != null ? " (on Redis " + settings.redis().getHost() + ":" + settings.redis().getPort() + ")" : " (in memory)")
                + (settings.anonymous() ? ", anonymous subscribers allowed" : "")
                + (settings.subscriptions() ? ", active subscriptions on" : ""));
    }

    /**
     * Starts a hub as {@code settings} say.
     *
     * @throws IllegalArgumentException for a key that is not usable with its algorithm
     * @throws dev.runnel.hub.HubUnavailableException when {@code --redis} names a Redis that cannot be reached
     */
    public static MercureHubServer start(HubSettings settings) {
        MercureOptions options = MercureOptions.builder()
                .publisherJwt(JwtVerifier.of(settings.publisherAlgorithm(), key(settings.publisherKey(), settings.publisherAlgorithm().isHmac())))
                .subscriberJwt(JwtVerifier.of(settings.subscriberAlgorithm(), key(settings.subscriberKey(), settings.subscriberAlgorithm().isHmac())))
                .anonymous(settings.anonymous())
                .cookieName(settings.cookieName())
                .publishOrigins(settings.publishOrigins())
                .corsOrigins(settings.corsOrigins())
                .publisherCorsOrigins(settings.corsOrigins())
                .subscriptions(settings.subscriptions())
                .compression(settings.compression())
                .build();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SseEngine.Builder engineBuilder = SseEngine.builder()
                .hub(HubOptions.DEFAULTS.withPublisherIds(true).withMaxHistory(settings.history())
                        .withReplay(Math.min(settings.history(), 1_000_000), HubOptions.DEFAULTS.replayAge()))
                .metrics(new RunnelMetrics(prometheus));
        if (settings.redis() != null) {
            engineBuilder.hubLog(RedisHubLog.connect(settings.redis()));
        }
        SseEngine engine = engineBuilder.build();
        try {
            RunnelServer.Builder serverBuilder = RunnelServer.builder().host(settings.host()).port(settings.port()).engine(engine);
            if (settings.tls()) {
                try {
                    serverBuilder.tls(DevCertificate.loadOrCreate(DEV_CERT), DevCertificate.PASSWORD);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot make the development certificate " + DEV_CERT + ": " + e.getMessage(), e);
                }
            }
            RunnelServer server = serverBuilder.build();
            MercureRoutes.mount(server, MercureHub.of(engine.hub(), options));
            HubPage page = new HubPage(settings);
            server.get("/", request -> HttpResponse.html(page.render(request.context())));
            server.get("/health", request -> engine.hub().isReady() && !engine.isStopping()
                    ? HttpResponse.json("{\"status\":\"UP\"}")
                    : new HttpResponse(503, "application/json", "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8), Map.of()));
            server.get("/metrics", request -> new HttpResponse(200, PROMETHEUS_TEXT,
                    prometheus.scrape().getBytes(StandardCharsets.UTF_8), Map.of("Cache-Control", "no-store")));
            server.start();
            return new MercureHubServer(server, engine);
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
    }

    /** An RS or ES key may be the path of a PEM file; an HMAC secret is always the text itself. */
    private static String key(String value, boolean hmac) {
        if (hmac || value.startsWith("-----BEGIN")) {
            return value;
        }
        Path file = Path.of(value);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("the key is neither PEM text nor a readable PEM file: " + value);
        }
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The hub's base address, e.g. {@code http://127.0.0.1:3000}. */
    public java.net.URI uri() {
        return server.uri();
    }

    /** The engine under the hub (its hub, its open streams). */
    public SseEngine engine() {
        return engine;
    }

    /** Stops the server and the engine (and its Redis connection). Idempotent. */
    @Override
    public void close() {
        server.stop();
    }
}
