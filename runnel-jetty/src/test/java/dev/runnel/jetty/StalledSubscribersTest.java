package dev.runnel.jetty;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscribers that never read, many at once, beside one that keeps up: what a stalled connection can
 * take is bounded (its send buffer, its hub queue), so the server does not spend itself filling
 * kernel buffers and the reader that keeps up gets every event. The default suite runs 300 stalled
 * subscribers; {@code -Drunnel.hostile.full=true} runs the 1,000 of the issue.
 */
class StalledSubscribersTest {

    private static final boolean FULL = Boolean.getBoolean("runnel.hostile.full");
    private static final int STALLED = FULL ? 1000 : 300;
    private static final int EVENTS = 300;
    private static final int EVENT_BYTES = 8192;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How many events the publisher may be ahead of the reader. */
    private static final int AHEAD = 8;
    /**
     * More than a stalled connection may take: its send buffer (32 KiB, doubled by Linux), the
     * client's receive window (a default socket's: about 128 KiB) and its hub queue (256 KiB), with
     * room; far less than the 2.4 MB of the events, which the kernel's own send buffer (up to 4 MiB)
     * would take whole.
     */
    private static final long STALLED_BOUND = 1 << 20;
    /** How many stalled connections are read to their end afterwards. */
    private static final int SAMPLE = 50;
    private static final Duration QUIET = Duration.ofSeconds(5);
    private final List<Socket> stalled = new ArrayList<>();
    private RunnelServer server;

    @AfterEach
    void stop() {
        for (Socket s : stalled) {
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

    @Test
    void aReaderThatKeepsUpGetsEveryEventWhileOthersNeverReadAndEachStalledOneTakesLittle() throws Exception {
        readerKeepsUpWhile(STALLED, EVENTS, EVENT_BYTES);
    }

    @Test
    void thousandsOfSubscribersThatNeverReadAreCutOffWhileAReaderGetsEverything() throws Exception {
        // small events: each stalled subscriber has to be sent about 450 of them before its buffers and queue are full
        readerKeepsUpWhile(FULL ? 5000 : 1000, 700, 1024);
    }

    /**
     * {@code stalledCount} subscribers that never read and one that does, on one topic; {@code events}
     * events of about {@code eventBytes} each are published, never more than {@link #AHEAD} before the
     * reader. The reader gets them all, each stalled subscriber is cut off having taken little, and a
     * new connection is served at once.
     */
    private void readerKeepsUpWhile(int stalledCount, int events, int eventBytes) throws Exception {
        SseEngine engine = SseEngine.builder().build();
        Hub hub = engine.hub();
        server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/topic/{name}", req -> hub.subscribe(req, List.of(req.pathParam("name"))));
        server.post("/publish/{name}", req -> HttpResponse.text(200,
                hub.publish(req.context(), req.context().pathParam("name"), new String(req.body(), StandardCharsets.UTF_8)).id()));
        server.start();
        URI uri = server.uri();

        for (int i = 0; i < stalledCount; i++) {
            stalled.add(subscribeAndNeverRead(uri, "/topic/news"));
        }
        Await.until(() -> engine.openStreams() == stalledCount, stalledCount + " stalled subscribers open", WAIT);
        RawSseClient reader = RawSseClient.get(uri.resolve("/topic/news"));
        Await.until(() -> engine.openStreams() == stalledCount + 1, "the reader subscribed", WAIT);
        AtomicInteger read = new AtomicInteger();
        CompletableFuture<List<WireEvents.Event>> received = CompletableFuture.supplyAsync(() -> {
            try {
                for (int n = 1; n < events; n++) {
                    reader.awaitEvents(n, WAIT);
                    read.set(n);
                }
                return reader.awaitEvents(events, WAIT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> Thread.ofPlatform().name("reader").start(task)); // its own thread: the common pool may have one worker, and others' tasks

        // a reader that keeps up: the publisher never runs more than a few events ahead of it
        String filler = "é".repeat(eventBytes / 2 - 8); // two bytes each in UTF-8: an event of about 8 KB
        try (RawHttp publisher = RawHttp.connect(uri, WAIT)) {
            for (int i = 0; i < events; i++) {
                int sent = i;
                Await.until(() -> read.get() >= sent - AHEAD || received.isDone(), "the reader has event " + (sent - AHEAD), WAIT);
                byte[] body = (i + ":" + filler).getBytes(StandardCharsets.UTF_8);
                publisher.send("POST /publish/news HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n");
                publisher.send(body);
                assertThat(publisher.read(false).status()).as("publish %d", i).isEqualTo(200);
            }
        }

        List<WireEvents.Event> got = received.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).hasSize(events);
        for (int i = 0; i < events; i++) {
            assertThat(got.get(i).data()).isEqualTo(i + ":" + filler);
        }
        // every stalled subscriber was cut off as slow long before it could hold all the events (2.4 or 5 MB)
        assertThat(engine.openStreams()).as("streams open besides the reader").isEqualTo(1);
        // what some of them took, read now to its end, all at once: the kernel delivers each at its own pace
        List<CompletableFuture<Long>> took = new ArrayList<>();
        for (Socket s : stalled.subList(0, Math.min(SAMPLE, stalled.size()))) {
            took.add(CompletableFuture.supplyAsync(() -> drain(s), task -> Thread.ofVirtual().start(task)));
        }
        for (CompletableFuture<Long> bytes : took) {
            assertThat(bytes.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("bytes a stalled connection took").isLessThan(STALLED_BOUND);
        }
        reader.close();
        // the server still answers a new connection at once
        long start = System.nanoTime();
        try (RawSseClient fresh = RawSseClient.request("GET", uri.resolve("/topic/other"), Map.of(), Duration.ofSeconds(5))) {
            assertThat(fresh.status()).isEqualTo(200);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    /** Reads what the server had pushed into a stalled connection, to its end, and counts it. */
    private static long drain(Socket socket) {
        long total = 0;
        byte[] buffer = new byte[65536];
        try {
            socket.setSoTimeout((int) QUIET.toMillis());
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException quiet) {
            // nothing more came for a while (a closed connection's last bytes can wait on the kernel): what was read counts
        } catch (IOException reset) {
            // cut off with a reset: what was read counts
        }
        return total;
    }

    /** Opens a subscription whose client never reads a byte of it (its receive buffer as the kernel sizes it). */
    private static Socket subscribeAndNeverRead(URI uri, String path) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
