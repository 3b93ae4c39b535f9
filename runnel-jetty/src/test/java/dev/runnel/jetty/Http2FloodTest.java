package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 attacks from one connection, on h2c and over TLS: streams opened and reset at once (rapid
 * reset), and a header block that never ends (CONTINUATION flood). The attacking connection is
 * closed; no stream it opened is left running; a stream of another client goes on, and a new
 * connection is served within a second.
 */
class Http2FloodTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int GOAWAY = 7;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int CANCEL = 0x8;
    private RunnelServer server;
    private SseEngine engine;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private URI start(RunnelServer.Builder builder) {
        engine = SseEngine.builder().build();
        server = builder.port(0).engine(engine).build();
        server.sse("/ticks", req -> EventStream.producer(out -> {
            for (int i = 0; ; i++) {
                out.emit("tick " + i);
                Thread.sleep(20);
            }
        }));
        server.get("/ping", req -> HttpResponse.text(200, "pong"));
        server.start();
        return server.uri();
    }

    @Test
    void rapidResetOnH2cClosesTheAttackerAndLeavesNoStreamRunning() throws Exception {
        URI uri = start(RunnelServer.builder());
        try (Socket attacker = plain(uri)) {
            assertRapidResetIsStopped(uri, attacker);
        }
    }

    @Test
    void rapidResetOverTlsClosesTheAttackerAndLeavesNoStreamRunning(@TempDir Path dir) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        URI uri = start(RunnelServer.builder().tls(keyStore, DevCertificate.PASSWORD));
        try (Socket attacker = tls(uri, keyStore)) {
            assertRapidResetIsStopped(uri, attacker);
        }
    }

    @Test
    void aContinuationFloodOnH2cIsCutOffAtTheHeaderCap() throws Exception {
        URI uri = start(RunnelServer.builder().maxRequestHeaderBytes(8192));
        try (Socket attacker = plain(uri)) {
            assertContinuationFloodIsStopped(uri, attacker, 1000);
        }
    }

    @Test
    void aFloodOfEmptyContinuationFramesOnH2cIsCutOff() throws Exception {
        URI uri = start(RunnelServer.builder());
        try (Socket attacker = plain(uri)) {
            assertContinuationFloodIsStopped(uri, attacker, 0);
        }
    }

    @Test
    void aContinuationFloodOverTlsIsCutOffAtTheHeaderCap(@TempDir Path dir) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        URI uri = start(RunnelServer.builder().tls(keyStore, DevCertificate.PASSWORD));
        try (Socket attacker = tls(uri, keyStore)) {
            assertContinuationFloodIsStopped(uri, attacker, 1000);
        }
    }

    /** Opens and at once resets streams on {@code attacker} until the server closes it. */
    private void assertRapidResetIsStopped(URI uri, Socket attacker) throws Exception {
        try (RawSseClient healthy = healthyStream(uri)) {
            OutputStream out = attacker.getOutputStream();
            out.write(PREFACE);
            frame(out, SETTINGS, 0, 0, new byte[0]);
            ServerFrames server = new ServerFrames(attacker);
            CompletableFuture<Boolean> closed = server.closed;
            byte[] block = requestHeaders(uri, "/ping");
            // one ordinary request first: its answer shows these frames are well-formed, so what follows is refused for its rate
            frame(out, HEADERS, END_STREAM | END_HEADERS, 1, block);
            server.answeredFirstStream.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            block = requestHeaders(uri, "/ticks");
            int streamId = 3;
            long deadline = System.nanoTime() + WAIT.toNanos();
            try {
                while (!closed.isDone() && System.nanoTime() < deadline && streamId < Integer.MAX_VALUE - 2) {
                    ByteArrayOutputStream burst = new ByteArrayOutputStream();
                    for (int i = 0; i < 100; i++, streamId += 2) {
                        frame(burst, HEADERS, END_STREAM | END_HEADERS, streamId, block);
                        frame(burst, RST_STREAM, 0, streamId, new byte[] {0, 0, 0, CANCEL});
                    }
                    out.write(burst.toByteArray());
                }
            } catch (IOException closedWhileSending) {
                // the server closed the connection: what this waits for
            }
            assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the attacking connection closed by the server").isTrue();
            assertThat(server.goAwayError).as("GOAWAY's error: ENHANCE_YOUR_CALM").isEqualTo(0xb);
            int others = healthy == null ? 0 : 1;
            Await.until(() -> engine.openStreams() == others, "no stream of the attacker left open", WAIT);
            assertOthersServed(uri, healthy);
        }
    }

    /**
     * Starts a header block and sends CONTINUATION frames of {@code fragment} bytes (a header each),
     * never ending it, until the server closes the connection.
     */
    private void assertContinuationFloodIsStopped(URI uri, Socket attacker, int fragment) throws Exception {
        try (RawSseClient healthy = healthyStream(uri)) {
            OutputStream out = attacker.getOutputStream();
            out.write(PREFACE);
            frame(out, SETTINGS, 0, 0, new byte[0]);
            ServerFrames server = new ServerFrames(attacker);
            CompletableFuture<Boolean> closed = server.closed;
            // one ordinary request first: its answer shows these frames are well-formed
            frame(out, HEADERS, END_STREAM | END_HEADERS, 1, requestHeaders(uri, "/ping"));
            server.answeredFirstStream.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            frame(out, HEADERS, END_STREAM, 3, requestHeaders(uri, "/ticks"));
            byte[] piece = fragment == 0 ? new byte[0] : literalHeader("x-flood", "é".repeat(fragment / 2));
            long sent = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            try {
                while (!closed.isDone() && System.nanoTime() < deadline) {
                    ByteArrayOutputStream burst = new ByteArrayOutputStream();
                    for (int i = 0; i < 100; i++) {
                        frame(burst, CONTINUATION, 0, 3, piece);
                    }
                    out.write(burst.toByteArray());
                    sent += 100L * piece.length;
                }
            } catch (IOException closedWhileSending) {
                // the server closed the connection: what this waits for
            }
            assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the flooding connection closed by the server").isTrue();
            // PROTOCOL_ERROR once the block passes the header cap; ENHANCE_YOUR_CALM for a flood of empty frames
            assertThat(server.goAwayError).as("GOAWAY's error").isIn(0x1, 0xb);
            if (fragment > 0) {
                // the cap is 8 KiB; what the kernel buffers were still holding when it closed is sent besides
                assertThat(sent).as("header bytes sent before the server closed the connection").isLessThan(16L << 20);
            }
            int others = healthy == null ? 0 : 1;
            Await.until(() -> engine.openStreams() == others, "no stream of the attacker open", WAIT);
            assertOthersServed(uri, healthy);
        }
    }

    /** A stream of another client, over HTTP/1.1; none over TLS, where a new connection is checked afterwards instead. */
    private static RawSseClient healthyStream(URI uri) throws IOException {
        if (uri.getScheme().equals("https")) {
            return null;
        }
        RawSseClient healthy = RawSseClient.get(uri.resolve("/ticks"));
        healthy.awaitText("data: tick 1\n\n", WAIT);
        return healthy;
    }

    private static void assertOthersServed(URI uri, RawSseClient healthy) throws Exception {
        if (healthy != null) {
            int before = healthy.occurrences("data: tick");
            healthy.awaitOccurrences("data: tick", before + 5, WAIT);
            assertThat(healthy.ended()).isFalse();
        }
        long start = System.nanoTime();
        if (uri.getScheme().equals("http")) {
            try (RawHttp c = RawHttp.connect(uri, WAIT)) {
                c.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read(false).status()).isEqualTo(200);
            }
        } else {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    /** What the server sent on a connection, read frame by frame until it closed it. */
    private static final class ServerFrames {
        final CompletableFuture<Boolean> closed = new CompletableFuture<>();
        final CompletableFuture<Void> answeredFirstStream = new CompletableFuture<>();
        volatile int goAwayError = -1;

        ServerFrames(Socket socket) throws IOException {
            socket.setSoTimeout((int) WAIT.toMillis() * 2);
            InputStream in = socket.getInputStream();
            Thread.ofPlatform().daemon().name("h2-frames").start(() -> {
                try {
                    while (true) {
                        byte[] head = in.readNBytes(9);
                        if (head.length < 9) {
                            break;
                        }
                        int length = (head[0] & 0xFF) << 16 | (head[1] & 0xFF) << 8 | head[2] & 0xFF;
                        int stream = (head[5] & 0x7F) << 24 | (head[6] & 0xFF) << 16 | (head[7] & 0xFF) << 8 | head[8] & 0xFF;
                        byte[] payload = in.readNBytes(length);
                        if (head[3] == HEADERS && stream == 1) {
                            answeredFirstStream.complete(null);
                        }
                        if (head[3] == GOAWAY && payload.length >= 8) {
                            goAwayError = (payload[4] & 0xFF) << 24 | (payload[5] & 0xFF) << 16 | (payload[6] & 0xFF) << 8 | payload[7] & 0xFF;
                        }
                    }
                    closed.complete(true);
                } catch (java.net.SocketTimeoutException e) {
                    closed.complete(false);
                } catch (IOException reset) {
                    closed.complete(true);
                }
            });
        }
    }

    /** A GET's header block in HPACK: static-table names, literal values, never indexed. */
    private static byte[] requestHeaders(URI uri, String path) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET
        block.write(uri.getScheme().equals("https") ? 0x87 : 0x86); // :scheme
        literalIndexedName(block, 4, path); // :path
        literalIndexedName(block, 1, uri.getHost() + ":" + uri.getPort()); // :authority
        literalIndexedName(block, 19, "text/event-stream"); // accept
        return block.toByteArray();
    }

    private static void literalIndexedName(ByteArrayOutputStream block, int nameIndex, String value) {
        block.write(nameIndex); // literal without indexing, indexed name (4-bit prefix; every index used is below 15)
        writeString(block, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] literalHeader(String name, String value) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x00); // literal without indexing, new name
        writeString(block, name.getBytes(StandardCharsets.US_ASCII));
        writeString(block, value.getBytes(StandardCharsets.UTF_8));
        return block.toByteArray();
    }

    /** An HPACK string, not Huffman-coded: its length as a 7-bit-prefix integer, then its bytes. */
    private static void writeString(ByteArrayOutputStream block, byte[] bytes) {
        int length = bytes.length;
        if (length < 127) {
            block.write(length);
        } else {
            block.write(127);
            for (length -= 127; length >= 128; length >>= 7) {
                block.write((length & 0x7F) | 0x80);
            }
            block.write(length);
        }
        block.writeBytes(bytes);
    }

    private static void frame(OutputStream out, int type, int flags, int streamId, byte[] payload) throws IOException {
        byte[] head = {
                (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags,
                (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId};
        out.write(head);
        out.write(payload);
    }

    private static Socket plain(URI uri) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        return socket;
    }

    private static Socket tls(URI uri, Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, DevCertificate.PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(uri.getHost(), uri.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
        return socket;
    }
}
