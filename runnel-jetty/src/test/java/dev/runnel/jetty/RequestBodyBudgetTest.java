package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server-wide budget of bytes that request bodies hold in memory: stalled senders use it up and
 * new bodies are told to come back ({@code 503}), everything else goes on, and every way a body's
 * request ends gives its bytes back, once.
 */
class RequestBodyBudgetTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int CAP = 32 * 1024;
    private static final int BUDGET = 2 * CAP;
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

    private void start(Duration bodyTimeout) {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build())
                .maxRequestBodyBytes(CAP).requestBodyBudgetBytes(BUDGET).requestBodyTimeout(bodyTimeout).build();
        server.post("/echo", req -> new HttpResponse(200, "application/octet-stream", req.body(), null));
        server.post("/boom", req -> {
            throw new IllegalStateException("handler bug, body of " + req.body().length + " bytes");
        });
        server.sse("/events", req -> EventStream.of("hello"));
        server.staticFiles("/static", "static");
        server.start();
    }

    private RawHttp connect() throws IOException {
        RawHttp c = RawHttp.connect(server.uri(), WAIT);
        connections.add(c);
        return c;
    }

    private String post(String path, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** Opens a connection that sends all of a body of the largest size but its last byte, then stalls. */
    private RawHttp stalledBody() throws IOException {
        RawHttp c = connect();
        c.send(post("/echo", CAP));
        c.send(bytes(CAP - 1, (byte) 'é'));
        return c;
    }

    private static byte[] bytes(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }

    /** Posts a whole body on a new connection and reads the answer. */
    private RawHttp.Response postWhole(String path, byte[] body) throws IOException {
        RawHttp c = connect();
        c.send(post(path, body.length));
        c.send(body);
        return c.read(false);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Posts a small body until it is refused: the stalled bodies' bytes arrive at their own pace. */
    private RawHttp.Response awaitRefused() throws Exception {
        // the stalled bodies count once the server has read them: wait for that first, so a failure says which part failed
        long counted = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.requestBodyBytesHeld() < 2L * (CAP - 1) && System.nanoTime() < counted) {
            Thread.sleep(20);
        }
        assertThat(server.requestBodyBytesHeld()).as("the two stalled bodies are counted against the budget").isGreaterThanOrEqualTo(2L * (CAP - 1));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            RawHttp.Response response = postWhole("/echo", "small".getBytes(StandardCharsets.UTF_8));
            if (response.status() != 200 || System.nanoTime() > deadline) {
                return response;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void stalledBodiesUseTheBudgetUpThenNewBodiesGet503WhileOtherRequestsAreServed() throws Exception {
        start(Duration.ofMinutes(1));
        RawHttp first = stalledBody();
        RawHttp second = stalledBody();

        RawHttp.Response refused = awaitRefused();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.all("retry-after")).containsExactly("1");
        assertThat(refused.all("connection")).containsExactly("close");
        assertThat(refused.text()).contains("request bodies");
        assertThat(connections.getLast().closedByServer()).isTrue();

        // requests without a body do not need the budget
        RawHttp page = connect();
        page.send("GET /static/runnel-test.css HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(page.read(false).text()).isEqualTo("body { color: #123; }\n");
        try (RawSseClient stream = RawSseClient.request("GET", server.uri().resolve("/events"), Map.of(), WAIT)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.readToEnd(WAIT)).isEqualTo("data: hello\n\n");
        }
        assertThat(first.nothingReceived()).isTrue();
        assertThat(second.nothingReceived()).isTrue();

        first.close();
        second.close();
        await(() -> server.requestBodyBytesHeld() == 0, "the closed connections gave their bytes back");
        byte[] largest = bytes(CAP, (byte) 0x80);
        RawHttp.Response whole = postWhole("/echo", largest);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(largest);
        assertThat(server.requestBodyBytesHeld()).isZero();
    }

    @Test
    void bodiesThatMissTheirDeadlineGiveTheirBytesBack() throws Exception {
        start(Duration.ofMillis(500));
        RawHttp first = stalledBody();
        RawHttp second = stalledBody();
        assertThat(first.read(false).status()).isEqualTo(408);
        assertThat(second.read(false).status()).isEqualTo(408);
        assertThat(server.requestBodyBytesHeld()).isZero();
        // the whole budget is free again: two bodies of the largest size at once
        RawHttp a = connect();
        RawHttp b = connect();
        a.send(post("/echo", CAP));
        b.send(post("/echo", CAP));
        a.send(bytes(CAP, (byte) 1));
        b.send(bytes(CAP, (byte) 2));
        assertThat(a.read(false).body()).isEqualTo(bytes(CAP, (byte) 1));
        assertThat(b.read(false).body()).isEqualTo(bytes(CAP, (byte) 2));
    }

    @Test
    void aHandlerThatThrowsGivesItsBodysBytesBack() throws Exception {
        start(Duration.ofMinutes(1));
        // three bodies that together are over the budget, one after another
        for (int i = 0; i < 3; i++) {
            RawHttp.Response response = postWhole("/boom", bytes(CAP, (byte) i));
            assertThat(response.status()).as("request %d", i).isEqualTo(500);
            assertThat(server.requestBodyBytesHeld()).isZero();
        }
    }

    @Test
    void everyOtherEndOfABodyGivesBackExactlyWhatItTook() throws Exception {
        start(Duration.ofMinutes(1));
        // too large, found while reading
        RawHttp tooLarge = connect();
        tooLarge.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        tooLarge.send(Integer.toHexString(CAP) + "\r\n" + "x".repeat(CAP) + "\r\n1\r\ny\r\n0\r\n\r\n");
        assertThat(tooLarge.read(false).status()).isEqualTo(413);
        assertThat(server.requestBodyBytesHeld()).isZero();
        // malformed chunk framing
        RawHttp malformed = connect();
        malformed.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\nzz\r\n");
        assertThat(malformed.read(false).status()).isEqualTo(400);
        await(() -> server.requestBodyBytesHeld() == 0, "the malformed body gave its bytes back");
        // the client leaves
        RawHttp leaving = connect();
        leaving.send(post("/echo", 100) + "partial");
        await(() -> server.requestBodyBytesHeld() > 0, "the partial body is held");
        leaving.close();
        await(() -> server.requestBodyBytesHeld() == 0, "the abandoned body gave its bytes back");
        // complete
        assertThat(postWhole("/echo", bytes(10, (byte) 'a')).status()).isEqualTo(200);
        assertThat(server.requestBodyBytesHeld()).isZero();
    }

    @Test
    void stoppingTheServerGivesBackWhatUnfinishedBodiesHeld() throws Exception {
        start(Duration.ofMinutes(1));
        stalledBody();
        await(() -> server.requestBodyBytesHeld() >= CAP - 1, "the stalled body is held (its buffer: all it sent, or the whole declared length)");
        server.stop();
        await(() -> server.requestBodyBytesHeld() == 0, "the stopped server's bodies gave their bytes back");
    }

    @Test
    void aStreamOpenedWithAPostHoldsItsBodyUntilItEnds() throws Exception {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build())
                .maxRequestBodyBytes(CAP).requestBodyBudgetBytes(BUDGET).build();
        CountDownLatch end = new CountDownLatch(1);
        server.ssePost("/stream", req -> EventStream.producer(out -> {
            out.emit("got " + req.body().length());
            end.await();
        }));
        server.start();
        RawHttp c = connect();
        c.send("POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        await(() -> server.requestBodyBytesHeld() == 3, "the stream holds its body, trimmed to its size");
        end.countDown();
        assertThat(c.read(false).text()).isEqualTo("data: got 3\n\n");
        await(() -> server.requestBodyBytesHeld() == 0, "the ended stream gave its body's bytes back");
    }

    @Test
    void aBudgetBelowTheLargestBodyIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> RunnelServer.builder().requestBodyBudgetBytes(-1))
                .hasMessageContaining("requestBodyBudgetBytes must not be negative");
        assertThatThrownBy(() -> RunnelServer.builder().maxRequestBodyBytes(1000).requestBodyBudgetBytes(999).build())
                .hasMessageContaining("must be at least maxRequestBodyBytes (1000)");
        assertThat(RunnelServer.defaultBodyBudget(Long.MAX_VALUE, 1 << 20)).isEqualTo(64L << 20);
        assertThat(RunnelServer.defaultBodyBudget(128L << 20, 1 << 20)).isEqualTo(32L << 20);
        assertThat(RunnelServer.defaultBodyBudget(2L << 20, 1 << 20)).isEqualTo(1L << 20);
    }
}
