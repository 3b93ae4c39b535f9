package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies are read without holding a thread, within a total deadline and a size cap: no
 * number of slow senders keeps other requests waiting.
 */
class RequestBodyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final AtomicInteger handled = new AtomicInteger();
    private final List<RawHttp> connections = new ArrayList<>();
    private RunnelServer server;

    @AfterEach
    void stop() {
        for (RawHttp c : connections) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        if (server != null) {
            server.stop();
        }
    }

    private RunnelServer start(RunnelServer.Builder builder) {
        server = builder.port(0).engine(SseEngine.builder().build()).build();
        server.post("/echo", req -> {
            handled.incrementAndGet();
            return new dev.runnel.jetty.HttpResponse(200, "application/octet-stream", req.body(), null);
        });
        server.ssePost("/stream", req -> EventStream.of("got " + req.body()));
        server.sse("/events", req -> EventStream.of("hello"));
        server.staticFiles("/static", "static");
        return server.start();
    }

    private RawHttp connect() throws IOException {
        RawHttp c = RawHttp.connect(server.uri(), WAIT);
        connections.add(c);
        return c;
    }

    private String post(String path, String headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n" + headers + "\r\n";
    }

    @Test
    void slowRequestBodiesDoNotKeepOtherRequestsWaiting() throws Exception {
        start(RunnelServer.builder().requestBodyTimeout(Duration.ofMinutes(1)));
        for (int i = 0; i < 300; i++) {
            connect().send(post("/echo", "Content-Length: 1000\r\n") + "a");
        }
        Thread dripper = Thread.ofPlatform().daemon().name("test-dripper").start(() -> {
            // one more byte on every connection each half second: each looks alive to the idle timeout
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(500);
                    for (RawHttp c : connections) {
                        c.send("b");
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the test is over
            }
        });
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> css = http.send(HttpRequest.newBuilder(server.uri().resolve("/static/runnel-test.css"))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(css.statusCode()).isEqualTo(200);
            assertThat(css.body()).isEqualTo("body { color: #123; }\n");
            try (RawSseClient stream = RawSseClient.request("GET", server.uri().resolve("/events"), java.util.Map.of(), WAIT)) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.readToEnd(WAIT)).isEqualTo("data: hello\n\n");
            }
            // and the slow bodies were still being sent all along
            assertThat(dripper.isAlive()).isTrue();
            for (RawHttp c : connections) {
                assertThat(c.nothingReceived()).isTrue();
            }
            assertThat(handled).hasValue(0);
        } finally {
            dripper.interrupt();
            dripper.join();
        }
    }

    @Test
    void aBodyNotCompleteWithinTheDeadlineIsAnswered408AndTheConnectionClosed() throws Exception {
        start(RunnelServer.builder().requestBodyTimeout(Duration.ofMillis(300)));
        RawHttp c = connect();
        c.send(post("/echo", "Content-Length: 10\r\n") + "abc");
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(408);
        assertThat(response.text()).contains("request body not received within 300 ms");
        assertThat(c.closedByServer()).isTrue();
        assertThat(handled).hasValue(0);
    }

    @Test
    void aDeadlineThatPassesWhileAStreamBodyArrivesIsAnswered408() throws Exception {
        start(RunnelServer.builder().requestBodyTimeout(Duration.ofMillis(300)));
        RawHttp c = connect();
        c.send(post("/stream", "Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n");
        assertThat(c.read(false).status()).isEqualTo(408);
    }

    @Test
    void aDeclaredLengthOverTheCapIsAnswered413WithoutReadingIt() throws Exception {
        start(RunnelServer.builder().maxRequestBodyBytes(1000));
        RawHttp c = connect();
        c.send(post("/echo", "Content-Length: 1001\r\n"));
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.text()).contains("request body too large: at most 1000 bytes");
        assertThat(handled).hasValue(0);
    }

    @Test
    void aChunkedBodyThatGrowsOverTheCapIsAnswered413() throws Exception {
        start(RunnelServer.builder().maxRequestBodyBytes(1000));
        RawHttp c = connect();
        c.send(post("/echo", "Transfer-Encoding: chunked\r\n") + "3e8\r\n" + "x".repeat(1000) + "\r\n");
        c.send("1\r\ny\r\n0\r\n\r\n");
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(413);
        assertThat(handled).hasValue(0);
    }

    @Test
    void aBodyOfExactlyTheCapArrivesWholeEvenOneByteAtATime() throws Exception {
        start(RunnelServer.builder().maxRequestBodyBytes(256));
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        RawHttp c = connect();
        c.send(post("/echo", "Content-Length: 256\r\n"));
        for (byte b : every) {
            c.send(new byte[] {b});
        }
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(every);
    }

    @Test
    void aStreamOpenedWithAPostReceivesItsBody() throws Exception {
        start(RunnelServer.builder());
        RawHttp c = connect();
        c.send(post("/stream", "Content-Length: 5\r\nAccept: text/event-stream\r\n") + "hello");
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("data: got hello\n\n");
    }

    @Test
    void aBodyThatArrivesLaterIsHandledOnItsRoutesKindOfThread() throws Exception {
        start(RunnelServer.builder());
        server.post("/where", req -> dev.runnel.jetty.HttpResponse.text(200,
                new String(req.body(), java.nio.charset.StandardCharsets.UTF_8) + " virtual " + Thread.currentThread().isVirtual()));
        server.ssePost("/where-stream", req -> EventStream.of(req.body() + " virtual " + Thread.currentThread().isVirtual()));
        RawHttp page = connect();
        page.send(post("/where", "Content-Length: 6\r\n") + "ab\u00c3"); // ends in the middle of "é" in UTF-8
        Thread.sleep(200); // the handler cannot run before the rest arrives, so the read must wait for it
        page.send("\u00a9cd");
        assertThat(page.read(false).text()).isEqualTo("abécd virtual false\n");
        RawHttp stream = connect();
        stream.send(post("/where-stream", "Content-Length: 4\r\n") + "ab");
        Thread.sleep(200);
        stream.send("cd");
        assertThat(stream.read(false).text()).isEqualTo("data: abcd virtual true\n\n");
    }

    @Test
    void anHttp2BodyIsReadTheSameWay(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        start(RunnelServer.builder().maxRequestBodyBytes(100_000));
        byte[] fits = new byte[100_000];
        new java.util.Random(21).nextBytes(fits);
        java.nio.file.Path body = java.nio.file.Files.write(dir.resolve("fits.bin"), fits);
        java.nio.file.Path echoed = dir.resolve("echoed.bin");
        assertThat(curl("--http2-prior-knowledge", "--data-binary", "@" + body, "-o", echoed.toString(), server.uri() + "/echo"))
                .isEqualTo("200 2");
        assertThat(java.nio.file.Files.readAllBytes(echoed)).isEqualTo(fits);
    }

    @Test
    void anHttp2BodyOverTheCapIsAnswered413(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a cap and body below HTTP/2's initial flow-control window (65,535 bytes), so curl has sent the
        // whole body when the 413 comes: a larger upload races the server's reset of the stream it
        // refused, and curl, still sending, may report the reset instead of the answer it got
        start(RunnelServer.builder().maxRequestBodyBytes(60_000));
        java.nio.file.Path over = java.nio.file.Files.write(dir.resolve("over.bin"), new byte[60_001]);
        assertThat(curl("--http2-prior-knowledge", "--data-binary", "@" + over, "-o", "/dev/null", server.uri() + "/echo"))
                .isEqualTo("413 2");
        assertThat(handled).hasValue(0);
    }

    /**
     * Runs curl quietly; returns its status code and HTTP version ("200 2"), read from its standard
     * output only: a refused upload may end with the server resetting the stream while curl still
     * sends (curl then also reports "not closed cleanly" on stderr, after the status it received).
     */
    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-w", "%{http_code} %{http_version}"));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(curl.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    @Test
    void theBeforeHookRefusesARequestWithoutWaitingForItsBody() throws Exception {
        start(RunnelServer.builder().before(context -> {
            if (context.header("Authorization").isEmpty()) {
                throw new dev.runnel.ForbiddenException("sign in first");
            }
            return context;
        }));
        RawHttp c = connect();
        c.send(post("/echo", "Content-Length: 100\r\n")); // not one byte of the body
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.text()).isEqualTo("sign in first\n");
        assertThat(handled).hasValue(0);
    }

    @Test
    void aHandlerThatThrowsAfterItsBodyArrivedLaterAnswers500() throws Exception {
        start(RunnelServer.builder());
        server.post("/boom", req -> {
            throw new IllegalStateException("handler bug");
        });
        RawHttp c = connect();
        c.send(post("/boom", "Content-Length: 4\r\n") + "ab");
        Thread.sleep(100);
        c.send("cd");
        RawHttp.Response response = c.read(false);
        assertThat(response.status()).isEqualTo(500);
        assertThat(response.text()).isEqualTo("internal server error\n");
    }

    @Test
    void aClientThatLeavesMidBodyIsNotHandledAndTheServerGoesOn() throws Exception {
        start(RunnelServer.builder());
        RawHttp c = connect();
        c.send(post("/echo", "Content-Length: 100\r\n") + "partial");
        c.close();
        RawHttp next = connect();
        next.send(post("/echo", "Content-Length: 2\r\n") + "ok");
        assertThat(next.read(false).text()).isEqualTo("ok");
        assertThat(handled).hasValue(1);
    }

    @Test
    void limitsOutsideTheirRangeAreRefusedAtConfiguration() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunnelServer.builder().requestBodyTimeout(Duration.ZERO))
                .hasMessageContaining("requestBodyTimeout must be positive");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunnelServer.builder().maxRequestBodyBytes(-1))
                .hasMessageContaining("maxRequestBodyBytes must be from 0 to");
    }
}
