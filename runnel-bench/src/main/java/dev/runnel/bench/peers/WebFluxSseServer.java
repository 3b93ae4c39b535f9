package dev.runnel.bench.peers;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spring Boot 4 WebFlux on Netty as a load-test peer, as Spring's reference shows SSE: a controller
 * returning {@code Flux<ServerSentEvent<String>>}, broadcast through a Reactor multicast sink per
 * topic ({@code Sinks.many().multicast().directBestEffort()}: a subscriber without demand misses
 * the event instead of holding up the others). Same routes as {@code RunnelBenchServer}; the
 * publish body is the event's data. A comment every 15 s keeps idle streams alive, as Runnel's
 * default heartbeat does; a comment first sends the response head at once (WebFlux holds it back
 * until the first element). {@code GET /stream/tokens?count=N} returns {@code Flux.range} mapped to N
 * small events ({@code tok0}, {@code tok1}, ...), sent as fast as the connection takes them. Default
 * Boot settings but for the bind address and port.
 *
 * <pre>java -cp target/classes:$(cat target/classpath.txt) dev.runnel.bench.peers.WebFluxSseServer --server.port=PORT</pre>
 */
@SpringBootApplication
@RestController
public class WebFluxSseServer {

    private final Map<String, Sinks.Many<String>> topics = new ConcurrentHashMap<>();

    public static void main(String[] args) {
        SpringApplication.run(WebFluxSseServer.class, args);
        System.out.println("webflux sse server pid " + ProcessHandle.current().pid());
    }

    private Sinks.Many<String> topic(String name) {
        return topics.computeIfAbsent(name, k -> Sinks.many().multicast().directBestEffort());
    }

    @GetMapping(path = "/sse/topic/{name}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<String>> subscribe(@PathVariable("name") String name) {
        Flux<ServerSentEvent<String>> events = topic(name).asFlux().map(data -> ServerSentEvent.builder(data).build());
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(Duration.ofSeconds(15))
                .map(i -> ServerSentEvent.<String>builder().comment("heartbeat").build());
        // WebFlux sends the response head with the first element: a comment first commits it at
        // once, as Runnel and Helidon do, so a browser's EventSource opens without waiting for news
        ServerSentEvent<String> opened = ServerSentEvent.<String>builder().comment("connected").build();
        return Flux.merge(events, heartbeats).startWith(opened);
    }

    @GetMapping(path = "/stream/tokens", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<String>> tokens(@RequestParam(name = "count", defaultValue = "1000") int count) {
        return Flux.range(0, count).map(i -> ServerSentEvent.builder("tok" + i).build());
    }

    @PostMapping("/publish/{name}")
    public String publish(@PathVariable("name") String name, @RequestBody String data) {
        // publishers may call at once: retry briefly when another emission is in progress
        topic(name).emitNext(data, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
        return "{\"subscribers\": " + topic(name).currentSubscriberCount() + "}";
    }
}
