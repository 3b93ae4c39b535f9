package dev.runnel.client;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's own classes in a class loader that sees the JDK and nothing else, as on a class
 * path without zstd-jni: gzip still decodes, zstd is not advertised, and a zstd answer is a clear
 * error.
 */
class WithoutZstdJniTest {

    private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private URI serve(String coding) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", exchange -> {
            acceptEncodings.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Content-Encoding", coding);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = coding.equals("gzip") ? new GZIPOutputStream(exchange.getResponseBody(), true)
                    : exchange.getResponseBody()) {
                body.write("data: ünïcode\n\ndata: two\n\n".getBytes(StandardCharsets.UTF_8));
            } finally {
                exchange.close();
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    /** The client's classes, loaded again by a loader whose parent is the platform's: no zstd-jni, no test classes. */
    private static URLClassLoader clientOnly() {
        URL classes = EventSource.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
    }

    /** Reads the stream at {@code uri} once, without reconnecting, in {@code loader}: the data, then why it ended. */
    private static List<String> read(ClassLoader loader, URI uri) throws Exception {
        Class<?> eventSource = loader.loadClass("dev.runnel.client.EventSource");
        Class<?> optionsType = loader.loadClass("dev.runnel.client.EventSourceOptions");
        Object options = optionsType.getMethod("withReconnect", boolean.class)
                .invoke(optionsType.getField("DEFAULTS").get(null), false);
        List<String> seen = new ArrayList<>();
        try (AutoCloseable source = (AutoCloseable) eventSource.getMethod("open", URI.class, optionsType).invoke(null, uri, options)) {
            Iterator<?> events = ((Iterable<?>) source).iterator();
            while (events.hasNext()) {
                Object event = events.next();
                Method data = event.getClass().getMethod("data");
                data.setAccessible(true);
                seen.add((String) data.invoke(event));
            }
            Optional<?> end = (Optional<?>) eventSource.getMethod("end").invoke(source);
            seen.add("end: " + end.orElseThrow());
        }
        return seen;
    }

    @Test
    void theLoaderReallyHidesZstdJni() throws Exception {
        try (URLClassLoader loader = clientOnly()) {
            assertThat(loader.loadClass("dev.runnel.client.EventSource")).isNotSameAs(EventSource.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.loadClass("com.github.luben.zstd.ZstdDecompressCtx"))
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void gzipDecodesAndOnlyGzipIsAdvertised() throws Exception {
        URI uri = serve("gzip");
        try (URLClassLoader loader = clientOnly()) {
            List<String> seen = read(loader, uri);
            assertThat(seen).startsWith("ünïcode", "two");
            assertThat(seen.getLast()).contains("Ended");
        }
        assertThat(acceptEncodings).containsExactly("gzip");
    }

    @Test
    void aZstdAnswerEndsWithAnErrorNamingZstdJni() throws Exception {
        URI uri = serve("zstd");
        try (URLClassLoader loader = clientOnly()) {
            List<String> seen = read(loader, uri);
            assertThat(seen).hasSize(1);
            assertThat(seen.getFirst()).contains("Failed").contains("zstd").contains("zstd-jni");
        }
    }
}
