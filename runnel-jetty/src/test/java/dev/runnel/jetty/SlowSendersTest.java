package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.RawSseClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds or thousands of connections that send their request one byte a second (headers or a
 * publish body): they hold a connection each, never the threads that new requests and publishing
 * need, so a new request is answered within a second all along. The default suite runs 500 slow
 * bodies and 1,000 slow heads; {@code -Drunnel.hostile.full=true} runs the 500 and 5,000.
 */
class SlowSendersTest {

    private static final boolean FULL = Boolean.getBoolean("runnel.hostile.full");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration ATTACK = Duration.ofSeconds(FULL ? 20 : 4);
    /**
     * The target, a second, at full scale; 5 s in the default suite, which runs on machines
     * loaded by other builds (a loaded one took 2.4 s to answer a page with no attack at all). Either
     * way far below a slow body's deadline (60 s here), which is how long a server that held a thread
     * per slow sender would keep new requests waiting; and the pool's busy threads are counted too.
     */
    private static final Duration FAST = Duration.ofSeconds(FULL ? 1 : 5);
    /** Far fewer than one per slow connection (and than Jetty's 200), though selectors and the requests being answered count. */
    private static final int FEW_THREADS = 40;
    private final List<Socket> slow = new ArrayList<>();
    private RunnelServer server;
    private QueuedThreadPool pool;

    @AfterEach
    void stop() {
        for (Socket s : slow) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        if (server != null) {
            server.stop();
        }
    }

    private URI start() {
        server = RunnelServer.builder().port(0).engine(SseEngine.builder().build()).requestBodyTimeout(Duration.ofSeconds(60)).build();
        server.configureJetty(jetty -> pool = (QueuedThreadPool) jetty.getThreadPool());
        server.get("/ping", req -> HttpResponse.text(200, "pong"));
        server.post("/publish", req -> HttpResponse.text(200, "got " + req.body().length));
        server.sse("/events", req -> EventStream.producer(out -> {
            out.emit("open");
            Thread.sleep(Duration.ofHours(1));
        }));
        server.start();
        return server.uri();
    }

    @Test
    void fiveHundredPublishBodiesSentOneByteASecondKeepNoRequestWaiting() throws Exception {
        URI uri = start();
        for (int i = 0; i < 500; i++) {
            slow.add(open(uri, "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
        }
        assertNewRequestsStayFastWhileEachSlowConnectionSendsAByteASecond(uri, "é".getBytes(StandardCharsets.UTF_8)[0]);
    }

    @Test
    void thousandsOfHeadersSentOneByteASecondKeepNoRequestWaiting() throws Exception {
        URI uri = start();
        int count = FULL ? 5000 : 1000;
        for (int i = 0; i < count; i++) {
            slow.add(open(uri, "GET /ping HTTP/1.1\r\nHost: x\r\n"));
        }
        assertNewRequestsStayFastWhileEachSlowConnectionSendsAByteASecond(uri, (byte) 'X');
    }

    /**
     * Every second, each slow connection sends one more byte; meanwhile a page, a publish and a
     * stream are asked for again and again on new connections, each answered within a second.
     */
    private void assertNewRequestsStayFastWhileEachSlowConnectionSendsAByteASecond(URI uri, byte dribble) throws Exception {
        AtomicBoolean attacking = new AtomicBoolean(true);
        Thread dribbler = Thread.ofPlatform().name("dribbler").start(() -> {
            while (attacking.get()) {
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write(dribble);
                    } catch (IOException closed) {
                        // the server gave up on it: that is allowed
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            long end = System.nanoTime() + ATTACK.toNanos();
            int rounds = 0;
            int busiest = 0;
            while (System.nanoTime() < end) {
                assertAnsweredQuickly(() -> {
                    try (RawHttp c = RawHttp.connect(uri, WAIT)) {
                        c.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
                        assertThat(c.read(false).text().strip()).isEqualTo("pong");
                    }
                }, "a page");
                assertAnsweredQuickly(() -> {
                    try (RawHttp c = RawHttp.connect(uri, WAIT)) {
                        c.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
                        assertThat(c.read(false).text().strip()).isEqualTo("got 5");
                    }
                }, "a publish");
                assertAnsweredQuickly(() -> {
                    try (RawSseClient c = RawSseClient.get(uri.resolve("/events"))) {
                        c.awaitText("data: open\n\n", WAIT);
                    }
                }, "a stream");
                rounds++;
                busiest = Math.max(busiest, pool.getBusyThreads());
                Thread.sleep(100);
            }
            assertThat(rounds).isPositive();
            assertThat(busiest).as("busy threads of Jetty's pool while " + slow.size() + " connections dribble").isLessThan(FEW_THREADS);
        } finally {
            attacking.set(false);
            dribbler.interrupt();
            dribbler.join();
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertAnsweredQuickly(Call call, String what) throws Exception {
        long start = System.nanoTime();
        call.run();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to answer " + what).isLessThan(FAST);
    }

    private static Socket open(URI uri, String start) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        out.write(start.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
