package dev.runnel.client.internal;

import com.github.luben.zstd.ZstdOutputStream;
import com.sun.net.httpserver.HttpServer;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One read of a coded body decodes to at most a bounded number of queued events: a server's 8 KiB
 * of gzip can hold 8 MiB of tiny events (and zstd far more), which must not all be parsed into the
 * queue before the first is delivered.
 */
class DecodedQueueBoundTest {

    private static final int BOUND = 2048; // the source keeps 1024 signals, plus those of one 1 KiB piece
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    interface Coder {
        OutputStream open(OutputStream out) throws IOException;
    }

    private URI serve(String coding, Coder coder) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                exchange.getResponseHeaders().set("Content-Encoding", coding);
                exchange.sendResponseHeaders(200, 0);
                byte[] events = "data: x\n\n".repeat(1 << 14).getBytes(StandardCharsets.US_ASCII);
                try (OutputStream coded = coder.open(exchange.getResponseBody())) {
                    for (int i = 0; i < 256; i++) { // 36 MiB of events, a few tens of KiB coded
                        coded.write(events);
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    private static void firstEventLeavesABoundedQueue(URI uri) {
        try (RealEventSource source = RealEventSource.pull(uri, EventSourceOptions.DEFAULTS.withReconnect(false))) {
            Iterator<MessageEvent> events = source.iterator();
            assertThat(events.next().data()).isEqualTo("x");
            assertThat(source.queued()).as("events parsed ahead of delivery").isLessThan(BOUND);
            int seen = 1;
            while (events.hasNext() && seen < 3 * BOUND) {
                assertThat(events.next().data()).isEqualTo("x");
                seen++;
                assertThat(source.queued()).isLessThan(BOUND);
            }
            assertThat(seen).as("events keep coming in order from what was kept back").isEqualTo(3 * BOUND);
        }
    }

    @Test
    void aGzipBodyOfTinyEventsIsParsedAsItIsDelivered() throws IOException {
        firstEventLeavesABoundedQueue(serve("gzip", GZIPOutputStream::new));
    }

    @Test
    void aZstdBodyOfTinyEventsIsParsedAsItIsDelivered() throws IOException {
        firstEventLeavesABoundedQueue(serve("zstd", ZstdOutputStream::new));
    }
}
