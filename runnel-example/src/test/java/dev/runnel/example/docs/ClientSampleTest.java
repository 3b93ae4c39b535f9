package dev.runnel.example.docs;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The Mercure sample of docs/CLIENT.md, run against a hub stand-in on loopback that answers an id. */
class ClientSampleTest {

    @Test
    void theMercureSamplePostsThePrivateUpdateWithItsAlternateAndReturnsTheHubsId() throws Exception {
        AtomicReference<String> form = new AtomicReference<>();
        AtomicReference<String> auth = new AtomicReference<>();
        HttpServer hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/.well-known/mercure", exchange -> {
            auth.set(exchange.getRequestHeaders().getFirst("Authorization"));
            form.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] id = "urn:uuid:0b1a".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, id.length);
            exchange.getResponseBody().write(id);
            exchange.close();
        });
        hub.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + hub.getAddress().getPort() + "/.well-known/mercure");

            String id = ClientSample.publishBook(uri, () -> "a.b.c");

            assertThat(id).isEqualTo("urn:uuid:0b1a");
            assertThat(auth.get()).isEqualTo("Bearer a.b.c");
            assertThat(form.get()).isEqualTo("topic=https%3A%2F%2Fexample.com%2Fbooks%2F1&topic=https%3A%2F%2Fexample.com%2Fusers%2F7%2Fbooks"
                    + "&data=%7B%22title%22%3A%22Dune%22%7D&type=book-changed&private=on");
        } finally {
            hub.stop(0);
        }
    }
}
