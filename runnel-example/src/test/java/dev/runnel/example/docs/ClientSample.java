package dev.runnel.example.docs;

// docs:begin client
import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;

import java.net.URI;
// docs:end client
import dev.runnel.client.MercurePublisher;
import dev.runnel.client.MercureUpdate;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The samples of docs/CLIENT.md: iterating over a stream, and a listener (compiled, not run: it needs
 * the demo on 8080); publishing to a Mercure hub (run by {@code ClientSampleTest} against a stand-in).
 */
final class ClientSample {

    private ClientSample() {
    }

    static EventSource follow() {
        // docs:begin client
        try (EventSource source = EventSource.open(URI.create("http://127.0.0.1:8080/sse/topic/news"))) {
            for (MessageEvent event : source) {  // blocks for the next event; reconnects like a browser
                System.out.println(event.type() + " #" + event.lastEventId() + ": " + event.data());
            }
            System.out.println(source.end().orElseThrow().reason());  // why it stopped, e.g. a 204
        }

        EventSource ticks = EventSource.connect(URI.create("http://127.0.0.1:8080/sse/ticks?count=3"),
                EventSourceOptions.DEFAULTS.withReconnect(false),
                (source, event) -> System.out.println(event.data()));  // on the source's own virtual thread
        // docs:end client
        return ticks;
    }

    static String publishBook(URI hub, Supplier<String> publisherJwt) throws Exception {
        // docs:begin mercure
        MercurePublisher publisher = MercurePublisher.builder(hub)  // e.g. https://example.com/.well-known/mercure
                .token(publisherJwt)                   // a JWT whose mercure.publish claim covers the topics
                .timeout(Duration.ofSeconds(5))        // default 10 s, the hub's whole answer included
                .build();
        String id = publisher.publish(MercureUpdate.of("https://example.com/books/1", "{\"title\":\"Dune\"}")
                .withAlternates(List.of("https://example.com/users/7/books"))
                .withType("book-changed")
                .asPrivate());
        // docs:end mercure
        return id;
    }
}
