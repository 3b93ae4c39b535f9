package dev.runnel.client;

import com.github.luben.zstd.ZstdOutputStream;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runnel listen} reads gzip and zstd streams, and asks for both. */
class ListenCompressedTest {

    private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String coding = exchange.getRequestURI().getPath().substring(1);
            acceptEncodings.add(exchange.getRequestHeaders().getFirst("Accept-Encoding"));
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Content-Encoding", coding);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = coding.equals("gzip") ? new GZIPOutputStream(exchange.getResponseBody(), true)
                    : new ZstdOutputStream(exchange.getResponseBody())) {
                body.write("id: 1\ndata: Grüße\n\n".getBytes(StandardCharsets.UTF_8));
                body.flush();
                body.write("event: add\ndata: zwei\n\n".getBytes(StandardCharsets.UTF_8));
            } finally {
                exchange.close();
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Test
    void listenPrintsTheEventsOfGzipAndZstdStreams() throws IOException {
        String base = serve();
        for (String coding : List.of("gzip", "zstd")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Listen.run(new String[] {base + coding}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10)), false);
            assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(coding)
                    .isEqualTo("id: 1\ndata: Grüße\n\nevent: add\nid: 1\ndata: zwei\n\n");
        }
        assertThat(acceptEncodings).containsExactly("gzip, zstd", "gzip, zstd");
    }
}
