package dev.runnel.example;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.pebble.PebbleFragments;

import java.io.IOException;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's smaller pages, each showing one behaviour in a real browser (and used by the browser
 * tests): a render error shown inline, the close event, many streams on one page, resuming a topic.
 */
final class DemoPages {

    private DemoPages() {
    }

    static void register(RunnelServer server, SseEngine engine, PebbleFragments fragments, Map<String, String> versions) {
        server.get("/demo/broken", req -> page(fragments, "demo/broken", versions, Map.of("debug", engine.debug())));
        server.get("/demo/close", req -> page(fragments, "demo/ticks", versions, Map.of("close", true)));
        server.get("/demo/reconnect", req -> page(fragments, "demo/ticks", versions, Map.of("close", false)));
        server.get("/demo/streams", req -> page(fragments, "demo/streams", versions,
                Map.of("n", req.context().queryInt("n", 10, 1, 100))));
        // items of the "feed" topic, from the id in ?from= on (publish with POST /publish/feed or hub code)
        server.get("/demo/feed", req -> page(fragments, "demo/feed", versions,
                Map.of("from", req.context().query("from").orElse(""))));

        // Ticks that say which connection to this route they came on, so the close and reconnect pages
        // show whether the browser came back; /demo/connections tells the count to a script or a test.
        AtomicInteger connections = new AtomicInteger();
        server.sse("/sse/ticks-counted", req -> {
            int count = req.queryInt("count", 3, 1, 1000);
            int intervalMs = req.queryInt("interval_ms", 100, 0, 60_000);
            int connection = connections.incrementAndGet();
            return EventStream.producer(out -> {
                for (int i = 1; i <= count; i++) {
                    if (i > 1 && intervalMs > 0) {
                        Thread.sleep(intervalMs);
                    }
                    out.emit("<li>connection " + connection + ": tick " + i + "</li>");
                }
            });
        });
        server.get("/demo/connections", req -> HttpResponse.json("{\"ticks-counted\":" + connections.get() + "}"));
    }

    private static HttpResponse page(PebbleFragments fragments, String template, Map<String, String> versions,
                                     Map<String, Object> values) throws IOException {
        Map<String, Object> context = new HashMap<>(versions);
        context.putAll(values);
        StringWriter out = new StringWriter();
        fragments.engine().getTemplate(template).evaluate(out, context);
        return HttpResponse.html(out.toString());
    }
}
