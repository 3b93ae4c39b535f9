package dev.runnel.bench.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Bytes on the wire per event, with and without each content coding: one connection per coding
 * (identity, gzip, zstd) to the same stream at the same time, so all see the same events. Each
 * connection asks for its coding, checks the response's {@code Content-Encoding} and decodes the
 * body itself; the counts start once every connection has its first event (the response heads, the
 * coding's header and the cold window left out) and cover the socket's bytes (HTTP/1.1 chunk
 * framing included) and the decoded bytes.
 *
 * <pre>
 * WireBytes --url SSE_URL --seconds 20                    (a stream that makes its own events)
 * WireBytes --demo dashboard --seconds 20                 (the demo's dashboard, served by this process)
 * WireBytes --url SSE_URL --publish PUBLISH_URL --events 200 --rate 50
 *                                                         (JSON ticker events, posted as form field data)
 * common: [--codings identity,gzip,zstd] [--label NAME]
 * </pre>
 * Prints a Markdown table and a {@code RESULT} line per coding.
 */
public final class WireBytes {

    private WireBytes() {
    }

    /** One coding's connection and its counts at the start of the measured window. */
    private static final class Leg {
        final String coding;
        final SseConnections connection;
        long bytesAtStart;
        long decodedAtStart;
        long eventsAtStart;

        Leg(String coding, URI url) throws java.io.IOException {
            this.coding = coding;
            this.connection = new SseConnections(List.of(url), List.of(), 1, 0, coding);
        }

        void mark() {
            bytesAtStart = connection.bytes();
            decodedAtStart = connection.decodedBytes();
            eventsAtStart = connection.eventCount();
        }
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String publish = null;
        String label = "stream";
        List<String> codings = List.of("identity", "gzip", "zstd");
        int seconds = 20;
        int events = 200;
        int rate = 50;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--url" -> url = value;
                case "--demo" -> url = demo(value);
                case "--publish" -> publish = value;
                case "--label" -> label = value;
                case "--codings" -> codings = List.of(value.split(","));
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--events" -> events = Integer.parseInt(value);
                case "--rate" -> rate = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        run(URI.create(url), publish == null ? null : URI.create(publish), label, codings, seconds, events, rate);
        System.exit(0);
    }

    /** Starts the demo ({@code dev.runnel.example.DemoServer}) on a free loopback port; returns the URL of its stream {@code name}. */
    private static String demo(String name) {
        var server = dev.runnel.example.DemoServer.create(new dev.runnel.example.DemoOptions("127.0.0.1", 0, false)).start();
        return server.uri() + "/sse/" + name;
    }

    static void run(URI url, URI publish, String label, List<String> codings, int seconds, int events, int rate)
            throws Exception {
        List<Leg> legs = new ArrayList<>();
        try {
            for (String coding : codings) {
                legs.add(new Leg(coding, url));
            }
            legs.forEach(leg -> leg.connection.open(1));
            HttpClient http = HttpClient.newHttpClient();
            Ticker ticker = new Ticker(42);
            long deadline = System.nanoTime() + 30_000_000_000L;
            // a first event on every connection: the stream's own, or published ones until all have one
            while (legs.stream().anyMatch(leg -> leg.connection.eventCount() == 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not every connection got a first event: " + describe(legs));
                }
                if (publish != null) {
                    post(http, publish, ticker.next());
                }
                Thread.sleep(200);
            }
            if (publish != null) {
                Thread.sleep(200); // the last of those reaches every connection
            }
            legs.forEach(Leg::mark);
            if (publish == null) {
                Thread.sleep(seconds * 1000L);
            } else {
                long interval = 1_000_000_000L / rate;
                long next = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    post(http, publish, ticker.next());
                    next += interval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                long expected = legs.getFirst().eventsAtStart + events;
                long until = System.nanoTime() + 10_000_000_000L;
                while (legs.stream().anyMatch(leg -> leg.connection.eventCount() - leg.eventsAtStart < events)
                        && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                if (legs.stream().anyMatch(leg -> leg.connection.eventCount() - leg.eventsAtStart < events)) {
                    throw new IllegalStateException("not every connection got all " + events + " events (first: "
                            + expected + "): " + describe(legs));
                }
            }
            report(label, legs);
        } finally {
            legs.forEach(leg -> leg.connection.close());
        }
    }

    private static String describe(List<Leg> legs) {
        StringBuilder text = new StringBuilder();
        for (Leg leg : legs) {
            text.append(leg.coding).append(": open ").append(leg.connection.openCount()).append(", events ")
                    .append(leg.connection.eventCount()).append("; ");
        }
        return text.toString();
    }

    private static void report(String label, List<Leg> legs) {
        Leg plain = legs.stream().filter(leg -> leg.coding.equals("identity")).findFirst().orElse(legs.getFirst());
        long plainEvents = plain.connection.eventCount() - plain.eventsAtStart;
        double plainPerEvent = (plain.connection.bytes() - plain.bytesAtStart) / (double) plainEvents;
        System.out.println("| stream | coding | events | wire bytes/event | decoded bytes/event | fewer bytes than identity |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (Leg leg : legs) {
            long n = leg.connection.eventCount() - leg.eventsAtStart;
            double wire = (leg.connection.bytes() - leg.bytesAtStart) / (double) n;
            double decoded = (leg.connection.decodedBytes() - leg.decodedAtStart) / (double) n;
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.1fx |%n", label, leg.coding, n, wire, decoded,
                    plainPerEvent / wire);
        }
        for (Leg leg : legs) {
            long n = leg.connection.eventCount() - leg.eventsAtStart;
            double wire = (leg.connection.bytes() - leg.bytesAtStart) / (double) n;
            System.out.printf(Locale.ROOT, "RESULT stream=%s coding=%s events=%d wire_bytes_per_event=%.1f ratio=%.2f%n",
                    label, leg.coding, n, wire, plainPerEvent / wire);
        }
    }

    private static void post(HttpClient http, URI publish, String data) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(publish)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("data=" + URLEncoder.encode(data, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("publish answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * A JSON market ticker: twenty symbols in turn, each price a random walk, with the fields a
     * quote feed sends (prices, change, volume, bid and ask, a timestamp). Seeded: every run sends the same.
     */
    static final class Ticker {
        private static final String[] SYMBOLS = {"RNL", "ACME", "GLOBX", "INITECH", "UMBR", "WAYNE", "STARK", "CYBD",
                "OSCP", "TYRL", "NKTM", "VANDL", "SOYL", "MASSV", "GRNGT", "BLUTH", "PIEDP", "HOOLI", "AVIAT", "DUFF"};
        private final Random random;
        private final double[] prices = new double[SYMBOLS.length];
        private final long[] volumes = new long[SYMBOLS.length];
        private long time = 1_796_335_200_000L; // 2026-12-03T22:00:00Z
        private int next;

        Ticker(long seed) {
            random = new Random(seed);
            for (int i = 0; i < prices.length; i++) {
                prices[i] = 20 + random.nextDouble() * 400;
                volumes[i] = 100_000 + random.nextInt(5_000_000);
            }
        }

        String next() {
            int i = next++ % SYMBOLS.length;
            double open = prices[i];
            prices[i] = Math.max(1, open + random.nextGaussian() * open * 0.002);
            volumes[i] += random.nextInt(5_000);
            time += 50 + random.nextInt(200);
            double change = prices[i] - open;
            return String.format(Locale.ROOT, "{\"type\":\"quote\",\"symbol\":\"%s\",\"price\":%.2f,\"change\":%.2f,"
                            + "\"changePercent\":%.3f,\"bid\":%.2f,\"ask\":%.2f,\"volume\":%d,\"exchange\":\"XNAS\","
                            + "\"currency\":\"USD\",\"timestamp\":%d}",
                    SYMBOLS[i], prices[i], change, change / open * 100, prices[i] - 0.01, prices[i] + 0.01, volumes[i], time);
        }
    }
}
