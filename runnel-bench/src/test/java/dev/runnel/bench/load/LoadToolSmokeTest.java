package dev.runnel.bench.load;

import dev.runnel.bench.server.RunnelBenchServer;
import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LoadToolSmokeTest {

    @Test
    void fiftySubscribersReceiveEveryPublishedEventWithItsLatencyRecorded() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0);
             Fleet fleet = Fleet.local(server.uri().resolve("/sse/topic/smoke"),
                     List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3")));
             Publisher publisher = new Publisher(new Publisher.Template("POST", server.uri().resolve("/publish/smoke"),
                     List.of("Content-Type: application/x-www-form-urlencoded"), "data={ts}"), 16)) {
            fleet.open(50);
            long deadline = System.currentTimeMillis() + 10_000;
            while (fleet.snapshot().open() < 50 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            fleet.snapshot(); // starts a fresh interval

            Publisher.Result result = publisher.run(50, 0.2);

            SseConnections.Snapshot s;
            long events = 0;
            long recorded = 0;
            do {
                Thread.sleep(50);
                s = fleet.snapshot();
                events = s.events();
                recorded += s.latency().getTotalCount();
            } while (events < 10 * 50 && System.currentTimeMillis() < deadline);
            assertThat(result.ok()).isEqualTo(10);
            assertThat(s.open()).isEqualTo(50);
            assertThat(events).isEqualTo(500);
            assertThat(recorded).isEqualTo(500);
            assertThat(s.connect().getTotalCount()).isZero(); // counted in the first interval
        }
    }

    @Test
    void withTwoTopicsEachTickPublishesToBothAndEachReachesItsHalfOfTheSubscribers() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0);
             Fleet fleet = Fleet.local(List.of(server.uri().resolve("/sse/topic/left"), server.uri().resolve("/sse/topic/right")),
                     List.of(InetAddress.getByName("127.0.0.2")));
             Publisher publisher = new Publisher(List.of(
                     new Publisher.Template("POST", server.uri().resolve("/publish/left"),
                             List.of("Content-Type: application/x-www-form-urlencoded"), "data={ts}"),
                     new Publisher.Template("POST", server.uri().resolve("/publish/right"),
                             List.of("Content-Type: application/x-www-form-urlencoded"), "data={ts}")), 64)) {
            fleet.open(40);
            long deadline = System.currentTimeMillis() + 10_000;
            while (fleet.snapshot().open() < 40 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }

            Publisher.Result result = publisher.run(50, 0.2); // 10 ticks, 2 publishes each

            SseConnections.Snapshot s;
            do {
                Thread.sleep(50);
                s = fleet.snapshot();
            } while (s.events() < 20 * 20 && System.currentTimeMillis() < deadline);
            assertThat(publisher.templates()).isEqualTo(2);
            assertThat(result.ok()).isEqualTo(20);
            assertThat(s.events()).as("each of the 20 events reached its topic's 20 subscribers").isEqualTo(20 * 20);
            assertThat(s.urlEvents()).containsExactly(200, 200);
        }
    }

    @Test
    void aConnectionNumberInTheUrlGivesEachConnectionAPathOfItsOwn() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             SseConnections connections = new SseConnections(
                     SseConnections.url("http://127.0.0.1:" + listener.getLocalPort() + "/sse/select/k{n}?x=1"),
                     List.of(InetAddress.getByName("127.0.0.2")), 4)) {
            listener.setSoTimeout(10_000);
            connections.open(3);
            Set<String> requestLines = new HashSet<>();
            List<Socket> accepted = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = listener.accept();
                    accepted.add(s);
                    s.setSoTimeout(10_000);
                    requestLines.add(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine());
                }
            } finally {
                for (Socket s : accepted) {
                    s.close();
                }
            }
            assertThat(requestLines).containsExactlyInAnyOrder(
                    "GET /sse/select/k0?x=1 HTTP/1.1", "GET /sse/select/k1?x=1 HTTP/1.1", "GET /sse/select/k2?x=1 HTTP/1.1");
        }
    }

    @Test
    void aSequenceNumberInThePublishUrlNamesANewTopicForEveryPublish() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        List<String> paths = Collections.synchronizedList(new ArrayList<>());
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getRawPath());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try (Publisher publisher = new Publisher(new Publisher.Template("POST",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/publish/news.{seq}", List.of(), "{ts}"), 4)) {
            assertThat(publisher.publishOne()).isTrue();
            Publisher.Result result = publisher.run(50, 0.2);
            assertThat(result.ok()).isEqualTo(10);
            assertThat(paths).hasSize(11).doesNotHaveDuplicates().allMatch(p -> p.matches("/publish/news\\.\\d+"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void subscribersEachOnASelectorOfTheirOwnReceiveEveryEventOnANewTopicOfThePrefixAndNoOther() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0);
             Fleet fleet = Fleet.local(List.of(SseConnections.url(server.uri() + "/sse/select/k{n}")),
                     List.of(InetAddress.getByName("127.0.0.2")));
             Publisher news = new Publisher(new Publisher.Template("POST", server.uri() + "/publish/news.{seq}",
                     List.of("Content-Type: application/x-www-form-urlencoded"), "data={ts}"), 16);
             Publisher other = new Publisher(new Publisher.Template("POST", server.uri() + "/publish/sports.{seq}",
                     List.of("Content-Type: application/x-www-form-urlencoded"), "data={ts}"), 16)) {
            fleet.open(20);
            long deadline = System.currentTimeMillis() + 10_000;
            while (fleet.snapshot().open() < 20 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(other.publishOne()).isTrue(); // outside the prefix: reaches nobody

            Publisher.Result result = news.run(50, 0.2);

            SseConnections.Snapshot s;
            do {
                Thread.sleep(50);
                s = fleet.snapshot();
            } while (s.events() < 10 * 20 && System.currentTimeMillis() < deadline);
            Thread.sleep(200); // room for an event that should not come
            assertThat(result.ok()).isEqualTo(10);
            assertThat(fleet.snapshot().events()).isEqualTo(10 * 20);
        }
    }

    @Test
    void tokenStreamDeliversEveryEventTheServerMakes() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0);
             SseConnections connection = new SseConnections(server.uri().resolve("/stream/tokens?count=20000"),
                     List.of(InetAddress.getByName("127.0.0.2")), 1)) {
            connection.open(1);
            long deadline = System.currentTimeMillis() + 10_000;
            while (connection.eventCount() < 20_000 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(connection.eventCount()).isEqualTo(20_000);
            assertThat(connection.bytes()).isGreaterThan(20_000L * "data: tok0\n\n".length());
            assertThat(connection.lastEventNanos()).isGreaterThan(connection.firstEventNanos());
        }
    }

    @Test
    void resultLinesCarryTheMetricTheValueAndTheCpuShares() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0)) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.io.PrintStream out = System.out;
            System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                LoadTool.run("stream", "--url", server.uri().resolve("/stream/tokens").toString(), "--label", "smoke",
                        "--count", "5000", "--warmup", "0", "--sources", "1");
            } finally {
                System.setOut(out);
            }
            assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("RESULT ")))
                    .anyMatch(l -> l.matches("RESULT server=smoke metric=\"events/s\" value=[0-9.]+ tool_cpu=\\d+ server_cpu=n/a other_cpu=\\d+ chart=yes"));
        }
    }

    /** Runs the load tool in this JVM and returns its RESULT lines. */
    private static List<String> resultLines(String... args) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            LoadTool.run(args);
        } finally {
            System.setOut(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        return text.lines().filter(l -> l.startsWith("RESULT ")).toList();
    }

    private static String value(List<String> lines, String metric) {
        return lines.stream().filter(l -> l.contains("metric=\"" + metric + "\""))
                .map(l -> l.replaceAll(".* value=(\\S+).*", "$1")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line for '" + metric + "' in " + lines));
    }

    @Test
    void fanoutReportsTheColdEventsThePublishCallAndOnePublishInFlightBackToBack() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0)) {
            List<String> lines = resultLines("fanout", "--url", server.uri() + "/sse/topic/smoke",
                    "--publish", "POST " + server.uri() + "/publish/smoke",
                    "--header", "Content-Type: application/x-www-form-urlencoded", "--body", "data={ts}",
                    "--label", "smoke", "--subscribers", "20", "--sources", "1", "--cold", "2", "--singles", "2",
                    "--rates", "20,max", "--step-seconds", "0.5", "--max-in-flight", "1");
            assertThat(Double.parseDouble(value(lines, "first single event after start: p99 over subscribers (ms)"))).isPositive();
            assertThat(Double.parseDouble(value(lines, "cold single events (first 2): median p99 over subscribers (ms)"))).isPositive();
            assertThat(Double.parseDouble(value(lines, "single event to all N: p99 over subscribers (ms)"))).isPositive();
            assertThat(Double.parseDouble(value(lines, "publish call, single events: p99 (ms)"))).isPositive();
            assertThat(Double.parseDouble(value(lines, "1 publish in flight, back to back: publishes/s"))).isGreaterThan(4);
            assertThat(Double.parseDouble(value(lines, "1 publish in flight, back to back: deliveries/s"))).isGreaterThan(80);
            assertThat(value(lines, "1 publish in flight, back to back: lost")).isEqualTo("0");
            assertThat(Double.parseDouble(value(lines, "1 publish in flight, back to back: p99 (ms)"))).isPositive();
            assertThat(Double.parseDouble(value(lines, "1 publish in flight, back to back: publish call p99 (ms)"))).isPositive();
            // the back-to-back step is no ramp point
            assertThat(lines).filteredOn(l -> l.contains("point=ramp")).hasSize(1);
        }
    }

    @Test
    void theFloorServesTheSameFanoutScenario() throws Exception {
        try (dev.runnel.bench.floor.FloorServer floor = dev.runnel.bench.floor.FloorServer.start(0, 2)) {
            String base = "http://127.0.0.1:" + floor.port();
            List<String> lines = resultLines("fanout", "--url", base + "/sse/topic/smoke",
                    "--publish", "POST " + base + "/publish/smoke",
                    "--header", "Content-Type: application/x-www-form-urlencoded", "--body", "data={ts}",
                    "--label", "floor", "--subscribers", "30", "--sources", "2", "--cold", "1", "--singles", "2",
                    "--rates", "50", "--step-seconds", "0.4");
            assertThat(Double.parseDouble(value(lines, "single event to all N: to the last one (ms)"))).isPositive();
            assertThat(lines).anyMatch(l -> l.matches("RESULT server=floor point=ramp rate=50 x=\\d+ y=[0-9.]+"));
        }
    }

    @Test
    void aSequenceNumberInTheBodyNamesANewTopicForEveryPublish() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        server.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try (Publisher publisher = new Publisher(new Publisher.Template("POST",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/hub", List.of(), "topic=b%2F{seq}&data={ts}"), 1)) {
            assertThat(publisher.publishOne()).isTrue();
            assertThat(publisher.publishOne()).isTrue();
            assertThat(bodies).hasSize(2);
            assertThat(bodies.get(0)).matches("topic=b%2F1&data=\\d{16}");
            assertThat(bodies.get(1)).startsWith("topic=b%2F2&data=");
            assertThat(publisher.callLatency().getTotalCount()).isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }

    private static List<String> mercureRun(RunnelServer server, String topic, String publishedTopic) throws Exception {
        String hub = server.uri() + "/.well-known/mercure";
        return resultLines("fanout", "--url", hub + "?topic=" + topic, "--publish", "POST " + hub,
                "--header", "Content-Type: application/x-www-form-urlencoded",
                "--header", "Authorization: Bearer " + RunnelBenchServer.mercurePublisherToken(),
                "--body", "topic=" + publishedTopic + "&data={ts}",
                "--label", "mercure", "--subscribers", "20", "--sources", "1", "--cold", "1", "--singles", "1",
                "--rates", "10", "--step-seconds", "0.5");
    }

    @Test
    void mercureSubscribersByOneExactTopicReceiveEveryPublish() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0, null, true)) {
            List<String> lines = mercureRun(server, "https%3A%2F%2Fexample.com%2Fbooks%2F1", "https%3A%2F%2Fexample.com%2Fbooks%2F1");
            assertThat(lines).anyMatch(l -> l.matches("RESULT server=mercure point=ramp rate=10 x=\\d+ y=[0-9.]+"));
            assertThat(Double.parseDouble(value(lines, "single event to all N: to the last one (ms)"))).isPositive();
        }
    }

    @Test
    void mercureSubscribersEachByATemplateOfItsOwnReceiveEveryPublishOnANewIri() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0, null, true)) {
            // {id0}, {id1}, ...: 20 distinct selectors; every publish on books/1, books/2, ...
            List<String> lines = mercureRun(server, "https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid{n}%7D", "https%3A%2F%2Fexample.com%2Fbooks%2F{seq}");
            assertThat(lines).anyMatch(l -> l.matches("RESULT server=mercure point=ramp rate=10 x=\\d+ y=[0-9.]+"));
            assertThat(Double.parseDouble(value(lines, "single event to all N: to the last one (ms)"))).isPositive();
        }
    }

    @Test
    void timestampIsReadFromTheStartOfTheData() {
        assertThat(Clock.leadingMicros("1764300000123456")).isEqualTo(1764300000123456L);
        assertThat(Clock.leadingMicros("ts=1764300000123456 pad")).isEqualTo(1764300000123456L);
        assertThat(Clock.leadingMicros("no timestamp 12")).isEqualTo(-1);
    }
}
