package dev.runnel.example.docs;

import dev.runnel.Fragment;
import dev.runnel.SseEngine;
import dev.runnel.StreamOptions;
import dev.runnel.compress.Compression;
import dev.runnel.hub.Hub;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.pebble.PebbleFragments;

import java.util.Map;

/** The sample of docs/COMPRESSION.md: a compressed topic route, and the same setting as stream options. */
final class CompressionSample {

    private CompressionSample() {
    }

    // docs:begin compression
    static RunnelServer pricesServer(int port) {
        SseEngine engine = SseEngine.builder().renderer(PebbleFragments.classpath("templates")).build();
        Hub hub = engine.hub();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).build();
        // gzip for clients that accept it, plain for the others; an 8 KiB window (55 KiB per connection)
        Compression codings = Compression.of("gzip").withWindowLog("gzip", 13).withLevel("gzip", 6);
        server.sse("/sse/prices", request -> hub.subscribe(request, "prices").compression(codings));
        return server.start();
    }

    // the same setting for a stream built from options
    static final StreamOptions COMPRESSED = StreamOptions.DEFAULTS.withCompression(Compression.of("gzip"));
    // docs:end compression

    static void price(Hub hub, String symbol, String price) {
        hub.publish("prices", Fragment.of("news", "headline", Map.of("title", symbol + " " + price), "price"));
    }
}
