package dev.runnel.jetty;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.compress.Compression;
import dev.runnel.compress.ContentCodings;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.CountingCoding;
import dev.runnel.testkit.DecodedStream;
import dev.runnel.testkit.DeflaterGzipCoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Compressed event streams on the embedded server, HTTP/1.1 and h2c, read by clients that decode as they go. */
class CompressedStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A coding that counts its compressors' closes and can be made to throw; clients ask for it by name. */
    private static final CountingCoding FAILING = new CountingCoding("x-failing", new DeflaterGzipCoding("x-failing"));

    private final List<RunnelServer> servers = new ArrayList<>();
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void codings() {
        if (ContentCodings.find("x-failing").isEmpty()) {
            ContentCodings.register(FAILING);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        servers.forEach(RunnelServer::stop);
    }

    private RunnelServer serve() {
        SseEngine engine = SseEngine.builder().closeEvent("done").build();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        Compression gzip = Compression.of("gzip");
        server.sse("/topic/{name}", req -> engine.hub().subscribe(req, req.pathParam("name"))
                .compression(Compression.of("x-failing", "gzip")).heartbeat(Duration.ofSeconds(60)));
        server.sse("/beating", req -> engine.hub().subscribe(req, "beating").compression(gzip).heartbeat(Duration.ofSeconds(1)));
        server.sse("/plain", req -> engine.hub().subscribe(req, "plain-topic"));
        server.sse("/count", req -> {
            int n = req.queryInt("n", 3, 1, 1000);
            return EventStream.producer(out -> {
                for (int i = 1; i <= n; i++) {
                    out.emit(SseEvent.of("event " + i).withId(Integer.toString(i)));
                }
            }).compression(Compression.of("x-failing", "gzip"));
        });
        server.sse("/origin", req -> engine.hub().subscribe(req, "o").allowOrigin("https://app.example").compression(gzip));
        server.sse("/refused", req -> {
            throw new BadRequestException("no such thing");
        });
        server.get("/ping", req -> dev.runnel.jetty.HttpResponse.text(200, "pong ".repeat(100)));
        server.start();
        servers.add(server);
        return server;
    }

    private static HttpClient client(boolean http2) {
        return HttpClient.newBuilder().version(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1).build();
    }

    private HttpResponse<InputStream> open(HttpClient client, URI uri, String acceptEncoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").timeout(WAIT);
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        HttpResponse<InputStream> response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        closing.add(response.body());
        return response;
    }

    private DecodedStream decoded(HttpResponse<InputStream> response) {
        DecodedStream d = DecodedStream.read(response.body(), response.headers().firstValue("Content-Encoding").orElse(null));
        closing.add(d);
        return d;
    }

    private static void upgradeToH2c(HttpClient client, URI base) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/ping")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @ParameterizedTest(name = "http2={0}")
    @ValueSource(booleans = {false, true})
    void eachEventIsDecodedAsSoonAsItIsPublished(boolean http2) throws Exception {
        RunnelServer server = serve();
        HttpClient client = client(http2);
        if (http2) {
            upgradeToH2c(client, server.uri());
        }
        var response = open(client, server.uri().resolve("/topic/news"), "gzip");
        assertThat(response.version()).isEqualTo(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        DecodedStream stream = decoded(response);
        Await.until(() -> server.engine().hub().subscribers("news") == 1, "subscribed", WAIT);
        String repeated = "<tr><td class=\"price\">Ünïcödé €</td></tr>".repeat(20);
        for (int i = 1; i <= 5; i++) {
            server.engine().hub().publish("news", "item " + i + " " + repeated);
            // the next event is published only once this one was decoded: a compressor holding it back fails here
            stream.awaitText("data: item " + i + " " + repeated + "\n\n", WAIT);
        }
        assertThat(stream.failure()).isNull();
    }

    @ParameterizedTest(name = "http2={0}")
    @ValueSource(booleans = {false, true})
    void heartbeatsAreFlushedToo(boolean http2) throws Exception {
        RunnelServer server = serve();
        HttpClient client = client(http2);
        if (http2) {
            upgradeToH2c(client, server.uri());
        }
        var response = open(client, server.uri().resolve("/beating"), "deflate, gzip");
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        DecodedStream stream = decoded(response);
        stream.awaitText(": heartbeat\n\n", WAIT);
        stream.awaitText(": heartbeat\n\n: heartbeat\n\n", WAIT);
    }

    @Test
    void aNormalEndHasAValidGzipTrailer() throws Exception {
        RunnelServer server = serve();
        var response = open(client(false), server.uri().resolve("/count?n=3"), "gzip;q=0.5, identity;q=0");
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (InputStream in = new GZIPInputStream(response.body())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(
                    "id: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\nid: 3\ndata: event 3\n\nevent: done\ndata: complete\n\n");
        }
        var again = open(client(true), server.uri().resolve("/count?n=2"), "gzip");
        DecodedStream stream = decoded(again);
        stream.awaitEnd(WAIT);
        assertThat(stream.failure()).isNull();
        assertThat(stream.trailerValid()).as("gzip trailer: CRC-32 and length match").isTrue();
        assertThat(stream.text()).endsWith("event: done\ndata: complete\n\n");
    }

    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @ValueSource(strings = {"<none>", "identity", "gzip;q=0", "br, deflate", "*;q=0", ""})
    void aClientThatAcceptsNoneOfTheCodingsGetsAPlainStream(String acceptEncoding) throws Exception {
        RunnelServer server = serve();
        var response = open(client(false), server.uri().resolve("/count?n=2"), acceptEncoding.equals("<none>") ? null : acceptEncoding);
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.headers().allValues("Vary")).doesNotContain("Accept-Encoding");
        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("id: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\nevent: done\ndata: complete\n\n");
    }

    @Test
    void aStreamWithoutCompressionIsPlainWhateverTheClientAccepts() throws Exception {
        RunnelServer server = serve();
        var response = open(client(false), server.uri().resolve("/plain"), "gzip, zstd, *");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        Await.until(() -> server.engine().hub().subscribers("plain-topic") == 1, "subscribed", WAIT);
        server.engine().hub().publish("plain-topic", "hello");
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).startsWith("id: ");
        assertThat(reader.readLine()).isEqualTo("data: hello");
    }

    @Test
    void otherResponsesAndErrorsAreNeverCompressed() throws Exception {
        RunnelServer server = serve();
        HttpClient client = client(false);
        var ping = client.send(HttpRequest.newBuilder(server.uri().resolve("/ping")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ping.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(ping.body()).startsWith("pong pong");
        var refused = client.send(HttpRequest.newBuilder(server.uri().resolve("/refused")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(refused.body().strip()).isEqualTo("no such thing");
        var notAcceptable = client.send(HttpRequest.newBuilder(server.uri().resolve("/count")).header("Accept", "application/json")
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notAcceptable.statusCode()).isEqualTo(406);
        assertThat(notAcceptable.headers().firstValue("Content-Encoding")).isEmpty();
    }

    @Test
    void varyKeepsTheStreamsOwnValue() throws Exception {
        RunnelServer server = serve();
        var response = open(client(false), server.uri().resolve("/origin"), "gzip");
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(String.join(",", response.headers().allValues("Vary")).replace(" ", "")).isEqualTo("Origin,Accept-Encoding");
    }

    @ParameterizedTest(name = "http2={0}")
    @ValueSource(booleans = {false, true})
    void curlPrintsEachEventAsSoonAsItIsPublished(boolean http2) throws Exception {
        RunnelServer server = serve();
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--compressed", "-N", "-D", "-"));
        if (http2) {
            command.add("--http2-prior-knowledge");
        }
        command.add(server.uri() + "/topic/curl");
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        closing.add(curl::destroyForcibly);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line.strip());
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        Await.until(() -> server.engine().hub().subscribers("curl") == 1, "curl subscribed", WAIT);
        for (int i = 1; i <= 5; i++) {
            server.engine().hub().publish("curl", "event number " + i + " " + "abc".repeat(50));
            String expected = "data: event number " + i + " " + "abc".repeat(50);
            Await.until(() -> lines.contains(expected), "curl printed event " + i + " (printed: " + lines.size() + " lines)", WAIT);
        }
        assertThat(lines).anyMatch(l -> l.equalsIgnoreCase("content-encoding: gzip"));
        assertThat(lines.getFirst()).startsWith(http2 ? "HTTP/2 200" : "HTTP/1.1 200");
        curl.destroy();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"runtime", "error"})
    void aCompressorThatThrowsEndsOnlyItsOwnConnectionAndIsClosedOnce(String kind) throws Exception {
        RunnelServer server = serve();
        int openedBefore = FAILING.opened.get();
        int closedBefore = FAILING.closeCalls.get();
        HttpClient client = client(false);
        var failing = open(client, server.uri().resolve("/topic/f"), "x-failing");
        assertThat(failing.headers().firstValue("Content-Encoding")).hasValue("x-failing");
        DecodedStream compressed = decoded(open(client, server.uri().resolve("/topic/f"), "gzip"));
        DecodedStream plain = decoded(open(client, server.uri().resolve("/topic/f"), null));
        Await.until(() -> server.engine().hub().subscribers("f") == 3, "three subscribers", WAIT);
        assertThat(FAILING.opened.get() - openedBefore).isEqualTo(1);
        Supplier<? extends Throwable> thrown = kind.equals("error") ? () -> new Error("compressor broke") : () -> new IllegalStateException("compressor broke");
        FAILING.failWith(0, thrown);
        try {
            server.engine().hub().publish("f", "first");
            Await.until(() -> server.engine().hub().subscribers("f") == 2, "the failing connection left the topic", WAIT);
            byte[] rest = failing.body().readAllBytes(); // ends: the response was aborted
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotContain("first");
        } catch (java.io.IOException expected) {
            // an aborted response may also show as a failed read
        } finally {
            FAILING.failWith(Integer.MAX_VALUE, null);
        }
        Await.until(() -> FAILING.closeCalls.get() - closedBefore == 1, "its compressor closed", WAIT);
        server.engine().hub().publish("f", "second");
        for (DecodedStream s : List.of(compressed, plain)) {
            s.awaitText("data: second\n\n", WAIT);
            assertThat(dataLines(s.text())).containsExactly("data: first", "data: second");
        }
        assertThat(FAILING.closeCalls.get() - closedBefore).as("closed exactly once").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"runtime", "error"})
    void aCompressorThatThrowsOnAProducersStreamEndsItAndIsClosedOnce(String kind) throws Exception {
        RunnelServer server = serve();
        int closedBefore = FAILING.closeCalls.get();
        int openedBefore = FAILING.opened.get();
        int finishedBefore = FAILING.finishCalls.get();
        Supplier<? extends Throwable> thrown = kind.equals("error") ? () -> new Error("compressor broke") : () -> new IllegalStateException("compressor broke");
        FAILING.failWith(1, thrown);
        try {
            var failing = open(client(false), server.uri().resolve("/count?n=50"), "x-failing");
            assertThat(failing.headers().firstValue("Content-Encoding")).hasValue("x-failing");
            try {
                failing.body().readAllBytes();
            } catch (java.io.IOException expected) {
                // aborted
            }
            Await.until(() -> FAILING.closeCalls.get() - closedBefore == 1, "its compressor closed", WAIT);
            assertThat(FAILING.opened.get() - openedBefore).isEqualTo(1);
            assertThat(FAILING.finishCalls.get() - finishedBefore).as("no trailer after a failure").isZero();
        } finally {
            FAILING.failWith(Integer.MAX_VALUE, null);
        }
        var fine = open(client(false), server.uri().resolve("/count?n=2"), "gzip");
        try (InputStream in = new GZIPInputStream(fine.body())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).endsWith("event: done\ndata: complete\n\n");
        }
        Thread.sleep(100);
        assertThat(FAILING.closeCalls.get() - closedBefore).as("closed exactly once").isEqualTo(1);
    }

    @Test
    void everyEndClosesTheCompressorOnce() throws Exception {
        RunnelServer server = serve();
        int closedBefore = FAILING.closeCalls.get();
        int finishedBefore = FAILING.finishCalls.get();
        // a normal end: the trailer, then closed
        var ended = open(client(false), server.uri().resolve("/count?n=3"), "x-failing");
        ended.body().readAllBytes();
        // a client that leaves
        var leaving = open(client(false), server.uri().resolve("/topic/leave"), "x-failing");
        Await.until(() -> server.engine().hub().subscribers("leave") == 1, "subscribed", WAIT);
        leaving.body().close();
        server.engine().hub().publish("leave", "x"); // a write reveals the disconnect if nothing else did
        Await.until(() -> server.engine().hub().subscribers("leave") == 0, "the leaving client gone", WAIT);
        // a shutdown
        var shut = open(client(false), server.uri().resolve("/topic/shut"), "x-failing");
        Await.until(() -> server.engine().hub().subscribers("shut") == 1, "subscribed", WAIT);
        server.stop();
        shut.body().readAllBytes();
        Await.until(() -> FAILING.closeCalls.get() - closedBefore == 3, "three compressors closed", WAIT);
        Thread.sleep(100);
        assertThat(FAILING.closeCalls.get() - closedBefore).isEqualTo(3);
        assertThat(FAILING.finishCalls.get() - finishedBefore).as("trailers: the normal end and the shutdown").isEqualTo(2);
    }

    private static List<String> dataLines(String text) {
        return text.lines().filter(l -> l.startsWith("data:")).toList();
    }

    @Test
    void twoHundredSubscribersHalfCompressedAllGetEveryEventInOrder() throws Exception {
        RunnelServer server = serve();
        HttpClient client = client(false);
        List<DecodedStream> streams = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            var r = open(client, server.uri().resolve("/topic/many"), i % 2 == 0 ? "gzip" : null);
            assertThat(r.headers().firstValue("Content-Encoding")).isEqualTo(i % 2 == 0 ? java.util.Optional.of("gzip") : java.util.Optional.empty());
            streams.add(decoded(r));
        }
        Await.until(() -> server.engine().hub().subscribers("many") == 200, "200 subscribers", WAIT);
        List<String> expected = new ArrayList<>();
        for (int e = 1; e <= 30; e++) {
            server.engine().hub().publish("many", "{\"n\":" + e + ",\"name\":\"tick\"}");
            expected.add("data: {\"n\":" + e + ",\"name\":\"tick\"}");
        }
        for (DecodedStream s : streams) {
            s.awaitText(expected.getLast() + "\n\n", WAIT);
            assertThat(dataLines(s.text())).containsExactlyElementsOf(expected);
            assertThat(s.failure()).isNull();
        }
    }
}
