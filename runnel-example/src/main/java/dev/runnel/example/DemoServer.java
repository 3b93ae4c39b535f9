package dev.runnel.example;

import dev.runnel.BadRequestException;
import dev.runnel.Dialect;
import dev.runnel.EventStream;
import dev.runnel.Fragment;
import dev.runnel.SseEngine;
import dev.runnel.Signals;
import dev.runnel.SseEvent;
import dev.runnel.compress.Compression;
import dev.runnel.compress.ContentCodings;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.jackson.JacksonJson;
import dev.runnel.jetty.DevCertificate;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.jetty.WarmUp;
import dev.runnel.pebble.PebbleFragments;
import dev.runnel.redis.RedisHubLog;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo: a live htmx dashboard on {@code /} and the SSE routes docs/DEMO.md documents, on the
 * embedded server, with Pebble fragments, Jackson JSON and the close event {@code done}.
 */
public final class DemoServer {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** Where {@code --tls} keeps its development certificate, relative to the working directory. */
    static final java.nio.file.Path DEV_CERT = java.nio.file.Path.of(".runnel", "dev-cert.p12");

    private DemoServer() {
    }

    public static void main(String[] args) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args).requireSafePublishing();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.warmUp()) {
            // before the port is bound: the first real broadcast finds the hot path compiled
            WarmUp.Report warm = WarmUp.run();
            System.out.println("warm-up: " + warm.deliveries() + " deliveries in " + warm.took().toMillis() + " ms"
                    + (warm.completed() ? "" : " (stopped early: " + warm.failure() + "; starting anyway)"));
        }
        RunnelServer server;
        try {
            server = create(options).start();
        } catch (IllegalStateException | IllegalArgumentException | HubUnavailableException e) {
            System.err.println("runnel demo: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "runnel-shutdown"));
        if (options.tls()) {
            System.out.println("TLS: self-signed development certificate in " + DEV_CERT.toAbsolutePath()
                    + " (password " + DevCertificate.PASSWORD + "); your browser will ask you to accept it once.");
        }
        System.out.println("Runnel demo on " + server.uri() + "/" + (options.debug() ? " (debug mode)" : "")
                + (options.redis() != null ? ", one node of a cluster on " + server.engine().hub().toString().replace("hub on ", "") : ""));
    }

    /**
     * How the dashboard stream is compressed: zstd when {@code runnel-zstd} is on the class path, else
     * gzip, for clients that accept it; uncompressed when neither coding is available.
     */
    static Compression dashboardCompression() {
        String[] codings = java.util.stream.Stream.of("zstd", "gzip").filter(c -> ContentCodings.find(c).isPresent()).toArray(String[]::new);
        return codings.length == 0 ? Compression.OFF : Compression.of(codings);
    }

    /** The demo server with every route, not yet started. */
    public static RunnelServer create(DemoOptions options) {
        PebbleFragments fragments = PebbleFragments.classpath("templates", !options.debug());
        JacksonJson json = new JacksonJson();
        SseEngine engine = SseEngine.builder()
                .debug(options.debug())
                .closeEvent("done")
                .renderer(fragments)
                .json(json)
                .hub(HubOptions.DEFAULTS.withAccess(new PublishToken(options.publishToken())))
                .maxStreamAge(options.maxStreamAgeSeconds() > 0 ? Duration.ofSeconds(options.maxStreamAgeSeconds()) : null)
                .metrics(OpsPage.metrics())
                // --redis: the hub runs on Redis Streams, shared with every node on the same Redis
                .hubLog(options.redis() == null ? null : RedisHubLog.connect(options.redis()))
                .build();
        Hub hub = engine.hub();
        ChatLog chat = new ChatLog(hub);
        if (options.redis() == null) { // on Redis every node starting would greet the whole cluster again
            chat.post(null, Map.of("name", "runnel", "text", "Welcome! Messages sent here reach every open page.",
                    "time", LocalTime.now().format(CLOCK)));
        }
        RunnelServer.Builder builder = RunnelServer.builder().host(options.host()).port(options.port()).engine(engine);
        if (options.tls()) {
            try {
                builder.tls(DevCertificate.loadOrCreate(DEV_CERT), DevCertificate.PASSWORD);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        RunnelServer server = builder.build();
        Map<String, String> versions = webjarVersions();

        server.get("/", req -> HttpResponse.html(page(fragments, "home", pageContext(engine, versions, options, chat.snapshot()))));
        DemoPages.register(server, engine, fragments, versions);
        OpsPage.register(server, engine, fragments, versions);
        server.staticFiles("/webjars", "META-INF/resources/webjars");
        server.staticFiles("/static", "static");

        // the dashboard holds no secrets, so compressing it leaks nothing (see the docs' note on BREACH)
        Compression dashboardCompression = dashboardCompression();
        server.sse("/sse/dashboard", req -> EventStream.producer(out -> {
            Ticker ticker = new Ticker();
            for (long second = 0; ; second++) {
                out.emit(Fragment.of("home", "clock", Map.of("time", LocalTime.now().format(CLOCK)), "clock"));
                out.emit(Fragment.of("home", "ticker", ticker.next(), "ticker"));
                if (second % 2 == 0) {
                    out.emit(Fragment.of("home", "stats", stats(engine), "stats"));
                }
                Thread.sleep(1000);
            }
        }).compression(dashboardCompression));

        server.sse("/sse/ticks", req -> {
            int count = req.queryInt("count", 10, 1, 100_000);
            int intervalMs = req.queryInt("interval_ms", 1000, 0, 60_000);
            return EventStream.producer(out -> {
                for (int i = 1; i <= count; i++) {
                    if (i > 1 && intervalMs > 0) {
                        Thread.sleep(intervalMs);
                    }
                    out.emit(SseEvent.of("tick " + i).withId(Integer.toString(i)));
                }
            });
        });

        server.sse("/sse/idle", req -> {
            int seconds = req.queryInt("heartbeat_s", 15, 1, 300);
            return EventStream.producer(out -> Thread.sleep(Long.MAX_VALUE)).heartbeat(Duration.ofSeconds(seconds));
        });

        server.sse("/sse/fragments", req -> EventStream.of(
                Fragment.of("fragments", "greeting", Map.of("name", "Runnel"), "greeting"),
                Fragment.of("fragments", "status", Map.of("ok", true), "status"),
                Fragment.of("fragments", "note", Map.of("text", "untargeted: the stream's default event name")),
                new Summary("json", List.of(1, 2, 3))).defaultEvent("update"));

        server.sse("/sse/broken", req -> EventStream.of(
                SseEvent.of("event 1 is fine"),
                Fragment.of("fragments", "no_such_block", Map.of(), "panel"),
                SseEvent.of("event 3 is fine")));

        server.sse("/sse/fail", req -> EventStream.producer(out -> {
            out.emit("event 1");
            out.emit("event 2");
            throw new IllegalStateException("the producer failed on purpose");
        }));

        server.sse("/sse/retry", req -> EventStream.of("a", "b", "c").retry(Duration.ofMillis(2500)));

        server.get("/sse/gone", req -> new HttpResponse(204, null, null, null));

        // the same fragment in each client library's dialect: from ?dialect=, else from the request's headers
        boolean npmScripts = DemoServer.class.getResource("/npm/htmx.org/dist/htmx.min.js") != null;
        server.staticFiles("/npm", "npm");
        server.get("/htmx4", req -> HttpResponse.html(page(fragments, "dialects/htmx4", Map.of("scripts", npmScripts))));
        server.get("/datastar", req -> HttpResponse.html(page(fragments, "dialects/datastar", Map.of("scripts", npmScripts))));
        server.ssePost("/sse/dialects/clock", req -> {
            Dialect dialect = req.query("dialect").map(DemoServer::dialect).orElse(Dialect.detect(req));
            return EventStream.producer(out -> {
                for (int tick = 1; ; tick++) {
                    out.emit(Fragment.of("dialects/clock", "clock",
                            Map.of("time", LocalTime.now().format(CLOCK), "tick", tick, "dialect", dialect.name()), "clock"));
                    out.emit(Signals.of(Map.of("ticks", tick)));
                    Thread.sleep(1000);
                }
            }).dialect(dialect);
        });

        // topics: "/sse/topic/news" or several at once, "/sse/topic/news,alerts"
        server.sse("/sse/topic/{name}", req -> hub.subscribe(req, List.of(req.pathParam("name").split(",", -1))));

        server.post("/publish/{name}", req -> {
            String data = req.form("data").orElseThrow(() -> new BadRequestException("form field 'data' is required"));
            String event = req.form("event").filter(e -> !e.isEmpty()).orElse(null);
            SseEvent value;
            try {
                value = new SseEvent(event, null, null, data);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(e.getMessage());
            }
            return HttpResponse.json(json.toJson(hub.publish(req.context(), req.context().pathParam("name"), value)));
        });

        // the home page's chat: messages are rendered (and HTML-escaped) once, by Pebble, for everyone
        server.post("/chat", req -> {
            String name = req.form("name").map(String::strip).filter(n -> !n.isEmpty()).orElse("anonymous");
            String text = req.form("message").map(String::strip).orElse("");
            if (text.isEmpty() || text.length() > 500 || name.length() > 40) {
                throw new BadRequestException("message must be 1 to 500 characters and name at most 40");
            }
            Map<String, Object> message = Map.of("name", name, "text", text, "time", LocalTime.now().format(CLOCK));
            return HttpResponse.json(json.toJson(chat.post(req.context(), message)));
        });
        return server;
    }

    private static Dialect dialect(String name) {
        return switch (name) {
            case "htmx2" -> Dialect.HTMX2;
            case "htmx4" -> Dialect.HTMX4;
            case "datastar" -> Dialect.DATASTAR;
            case "datastar-beta" -> Dialect.DATASTAR_BETA;
            default -> throw new BadRequestException("dialect must be htmx2, htmx4, datastar or datastar-beta, got '"
                    + (name.length() > 20 ? name.substring(0, 20) + "..." : name) + "'");
        };
    }

    private static Map<String, Object> pageContext(SseEngine engine, Map<String, String> versions, DemoOptions options,
                                                   ChatLog.Snapshot chat) {
        Map<String, Object> context = new LinkedHashMap<>(versions);
        context.put("messages", chat.messages());
        context.put("chatLastId", chat.lastId());
        context.put("chatOpen", options.publishToken() == null);
        context.put("time", LocalTime.now().format(CLOCK));
        context.putAll(stats(engine));
        context.putAll(new Ticker().next());
        context.put("debug", engine.debug());
        return context;
    }

    private static Map<String, Object> stats(SseEngine engine) {
        Runtime rt = Runtime.getRuntime();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        return Map.of(
                "streams", engine.openStreams(),
                "heapMb", (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024),
                "uptime", String.format("%d:%02d:%02d", uptime / 3600, uptime / 60 % 60, uptime % 60),
                "cpus", rt.availableProcessors());
    }

    private static String page(PebbleFragments fragments, String template, Map<String, Object> context) throws IOException {
        StringWriter out = new StringWriter();
        fragments.engine().getTemplate(template).evaluate(out, context);
        return out.toString();
    }

    private static Map<String, String> webjarVersions() {
        Properties props = new Properties();
        try (InputStream in = DemoServer.class.getResourceAsStream("/versions.properties")) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("versions.properties missing from the demo's classpath", e));
        }
        return Map.of("htmxVersion", props.getProperty("htmx.version"), "htmxSseVersion", props.getProperty("htmx-sse.version"));
    }

    /** The JSON object of /sse/fragments; a record keeps its field order. */
    record Summary(String kind, List<Integer> items) {
    }

    /** A random walk drawn as an SVG polyline: the "market" panel. One per stream. */
    static final class Ticker {
        private static final int POINTS = 40;
        private final ArrayDeque<Double> values = new ArrayDeque<>();
        private double value = 100;

        Map<String, Object> next() {
            value = Math.max(1, value + ThreadLocalRandom.current().nextGaussian() * 1.5);
            values.addLast(value);
            if (values.size() > POINTS) {
                values.removeFirst();
            }
            double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
            double span = Math.max(1e-9, max - min);
            StringBuilder points = new StringBuilder();
            int i = 0;
            for (double v : values) {
                points.append(i * 5).append(',').append(String.format("%.1f", 38 - (v - min) / span * 36)).append(' ');
                i++;
            }
            return Map.of("price", String.format("%.2f", value), "points", points.toString().trim());
        }
    }
}
