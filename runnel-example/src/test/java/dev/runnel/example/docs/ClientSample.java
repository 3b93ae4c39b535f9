package dev.runnel.example.docs;

// docs:begin client
import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;

import java.net.URI;
// docs:end client

/** The sample of docs/CLIENT.md: iterating over a stream, and a listener. Compiled, not run: it needs the demo on 8080. */
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
}
