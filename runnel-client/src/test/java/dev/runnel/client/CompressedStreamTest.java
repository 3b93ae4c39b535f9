package dev.runnel.client;

import com.github.luben.zstd.ZstdOutputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compressed streams from a real JDK HTTP/1.1 server: gzip (the JDK's, sync flush after every
 * event) and zstd (zstd-jni's, a flush after every event). The server writes event N+1 only once
 * the client has delivered event N, so a client that waits for more bytes than an event's never
 * sees the next one.
 */
class CompressedStreamTest {

    private static final Duration ACK_WAIT = Duration.ofSeconds(10);
    private static final int EVENTS = 6;

    /** What a scripted answer writes: the exchange, and the count of connections so far. */
    interface Answer {
        void write(HttpExchange exchange, int connection) throws IOException, InterruptedException;
    }

    private final Semaphore acks = new Semaphore(0);
    private final List<String> serverFailures = new CopyOnWriteArrayList<>();
    private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        acks.release(1000); // no handler is left waiting
        handlers.close();
    }

    private URI serve(Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", exchange -> {
            int connection = connections.incrementAndGet();
            acceptEncodings.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
            try {
                answer.write(exchange, connection);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client went away
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(handlers); // one thread per exchange: a held stream must not stall the next connection
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    private static OutputStream start(HttpExchange exchange, String coding) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        if (coding != null) {
            exchange.getResponseHeaders().set("Content-Encoding", coding);
        }
        exchange.sendResponseHeaders(200, 0); // chunked
        return exchange.getResponseBody();
    }

    private static byte[] event(int i) {
        return ("id: " + i + "\nevent: row\ndata: <li>Grüße ☃ nº" + i + "</li>\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the events, each flushed, each only after the client delivered the one before. */
    private void writeAcked(OutputStream compressed) throws IOException, InterruptedException {
        for (int i = 0; i < EVENTS; i++) {
            compressed.write(event(i));
            compressed.flush();
            if (!acks.tryAcquire(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                serverFailures.add("event " + i + " was flushed but not delivered within " + ACK_WAIT);
                return;
            }
        }
    }

    private Recorder ackingRecorder() {
        return new Recorder() {
            @Override
            public void onEvent(EventSource source, MessageEvent event) {
                super.onEvent(source, event);
                acks.release();
            }
        };
    }

    private void assertEachEventArrivesBeforeTheNextIsSent(URI uri) throws InterruptedException {
        Recorder recorder = ackingRecorder();
        try (EventSource source = EventSource.connect(uri, EventSourceOptions.DEFAULTS.withReconnect(false), recorder)) {
            List<String> data = recorder.awaitEventData(EVENTS);
            assertThat(data).hasSize(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                assertThat(data.get(i)).isEqualTo("<li>Grüße ☃ nº" + i + "</li>");
            }
            assertThat(recorder.events.get(EVENTS - 1).lastEventId()).isEqualTo(String.valueOf(EVENTS - 1));
            assertThat(recorder.awaitClosed()).isInstanceOf(StreamEnd.Ended.class);
        }
        assertThat(serverFailures).isEmpty();
    }

    @Test
    void gzipEventsAreDeliveredAsSoonAsTheyAreFlushed() throws Exception {
        URI uri = serve((exchange, connection) -> {
            try (GZIPOutputStream gzip = new GZIPOutputStream(start(exchange, "gzip"), true)) {
                writeAcked(gzip);
            }
        });
        assertEachEventArrivesBeforeTheNextIsSent(uri);
    }

    @Test
    void zstdEventsAreDeliveredAsSoonAsTheyAreFlushed() throws Exception {
        URI uri = serve((exchange, connection) -> {
            try (ZstdOutputStream zstd = new ZstdOutputStream(start(exchange, "zstd"), 3)) {
                writeAcked(zstd);
            }
        });
        assertEachEventArrivesBeforeTheNextIsSent(uri);
    }

    @Test
    void theClientAdvertisesGzipAndZstdWhenZstdJniIsPresent() throws Exception {
        URI uri = serve((exchange, connection) -> start(exchange, null).write(event(0)));
        Recorder recorder = new Recorder();
        try (EventSource source = EventSource.connect(uri, EventSourceOptions.DEFAULTS.withReconnect(false), recorder)) {
            recorder.awaitClosed();
        }
        assertThat(acceptEncodings).containsExactly("gzip, zstd");
        assertThat(recorder.data()).containsExactly("<li>Grüße ☃ nº0</li>");
    }

    @Test
    void acceptEncodingCanBeTurnedOffAndAHeaderOfTheApplicationWins() throws Exception {
        URI uri = serve((exchange, connection) -> start(exchange, null).write(event(0)));
        EventSourceOptions off = EventSourceOptions.DEFAULTS.withReconnect(false).withAcceptEncoding(false);
        Recorder first = new Recorder();
        try (EventSource source = EventSource.connect(uri, off, first)) {
            first.awaitClosed();
        }
        Recorder second = new Recorder();
        EventSourceOptions own = EventSourceOptions.DEFAULTS.withReconnect(false).withHeader("Accept-Encoding", "gzip");
        try (EventSource source = EventSource.connect(uri, own, second)) {
            second.awaitClosed();
        }
        assertThat(acceptEncodings).containsExactly("null", "gzip");
    }

    @Test
    void aTruncatedGzipStreamIsABrokenStreamAndReconnects() throws Exception {
        URI uri = serve((exchange, connection) -> {
            OutputStream raw = start(exchange, "gzip");
            GZIPOutputStream gzip = new GZIPOutputStream(raw, true);
            gzip.write(event(connection));
            gzip.flush();
            raw.close(); // no trailer: the body ends inside the gzip member
        });
        Recorder recorder = new Recorder();
        EventSourceOptions options = EventSourceOptions.DEFAULTS.withMinRetryDelay(Duration.ZERO).withRetry(Duration.ZERO);
        try (EventSource source = EventSource.connect(uri, options, recorder)) {
            recorder.awaitEventData(2);
            assertThat(recorder.errors).isNotEmpty();
            assertThat(recorder.errors.getFirst()).hasMessageContaining("gzip").hasMessageContaining("truncated");
            assertThat(source.lastEventId()).isNotEmpty();
        }
        assertThat(connections.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aCorruptZstdStreamIsABrokenStreamAndReconnects() throws Exception {
        URI uri = serve((exchange, connection) -> {
            OutputStream raw = start(exchange, "zstd");
            ZstdOutputStream zstd = new ZstdOutputStream(raw, 3);
            zstd.write(event(connection));
            zstd.flush();
            raw.write(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x13, 0x37, 0, 0, 0, 0, 0x42, 0x42});
            raw.flush();
            acks.tryAcquire(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS); // held open until the client gives up on it
        });
        Recorder recorder = new Recorder();
        EventSourceOptions options = EventSourceOptions.DEFAULTS.withMinRetryDelay(Duration.ZERO).withRetry(Duration.ZERO);
        try (EventSource source = EventSource.connect(uri, options, recorder)) {
            recorder.awaitEventData(2);
            assertThat(recorder.errors).isNotEmpty();
            assertThat(recorder.errors.getFirst()).hasMessageContaining("zstd");
        } finally {
            acks.release(10);
        }
        assertThat(connections.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void corruptGzipDataIsAClearError() throws Exception {
        URI uri = serve((exchange, connection) -> {
            OutputStream raw = start(exchange, "gzip");
            raw.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 7, 7});
            raw.flush();
        });
        Recorder recorder = new Recorder();
        try (EventSource source = EventSource.connect(uri, EventSourceOptions.DEFAULTS.withReconnect(false), recorder)) {
            StreamEnd end = recorder.awaitClosed();
            assertThat(end).isInstanceOf(StreamEnd.Failed.class);
            assertThat(((StreamEnd.Failed) end).cause()).hasMessageContaining("gzip");
        }
    }

    @Test
    void anUnknownContentEncodingEndsTheSourceWithAClearError() throws Exception {
        URI uri = serve((exchange, connection) -> start(exchange, "br").write(new byte[] {1, 2, 3}));
        Recorder recorder = new Recorder();
        try (EventSource source = EventSource.connect(uri, recorder)) {
            StreamEnd end = recorder.awaitClosed();
            assertThat(end).isInstanceOf(StreamEnd.Failed.class);
            assertThat(((StreamEnd.Failed) end).cause()).hasMessageContaining("Content-Encoding")
                    .hasMessageContaining("br").hasMessageContaining("gzip");
        }
        assertThat(connections.get()).as("no reconnect: the answer would be the same").isEqualTo(1);
    }

    @Test
    void theIteratorDecodesGzipToo() throws Exception {
        URI uri = serve((exchange, connection) -> {
            try (GZIPOutputStream gzip = new GZIPOutputStream(start(exchange, "x-gzip"), true)) {
                gzip.write(event(0));
                gzip.write(event(1));
            }
        });
        try (EventSource source = EventSource.open(uri, EventSourceOptions.DEFAULTS.withReconnect(false))) {
            List<String> data = source.events().map(MessageEvent::data).toList();
            assertThat(data).containsExactly("<li>Grüße ☃ nº0</li>", "<li>Grüße ☃ nº1</li>");
        }
    }
}
