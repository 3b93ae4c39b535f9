package dev.runnel.bench.peers;

import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.sse.SseSink;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Helidon 4 SE as a load-test peer, written the way Helidon's SSE guide shows it: the handler takes
 * an {@link SseSink} from the response and emits on its own (virtual) thread, blocking. Broadcast
 * is a queue per subscriber that the publish route offers to. Same routes as
 * {@code RunnelBenchServer}: {@code GET /sse/topic/{name}}; {@code POST /publish/{name}} whose
 * plain-text body is the event's data. A comment every 15 s keeps idle streams alive, as Runnel's
 * default heartbeat does. {@code GET /stream/tokens?count=N} emits N small events ({@code tok0},
 * {@code tok1}, ...) in a loop on the request's thread, as fast as the connection takes them.
 * Default server options.
 *
 * <pre>java -cp target/classes:$(cat target/classpath.txt) dev.runnel.bench.peers.HelidonSseServer [PORT]</pre>
 */
public final class HelidonSseServer {

    private static final Map<String, Set<BlockingQueue<String>>> TOPICS = new ConcurrentHashMap<>();

    private HelidonSseServer() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8091;
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(routing -> routing
                        .get("/sse/topic/{name}", (req, res) -> {
                            Set<BlockingQueue<String>> subscribers = TOPICS.computeIfAbsent(
                                    req.path().pathParameters().get("name"), k -> ConcurrentHashMap.newKeySet());
                            BlockingQueue<String> queue = new LinkedBlockingQueue<>(512);
                            subscribers.add(queue);
                            try (SseSink sink = res.sink(SseSink.TYPE)) {
                                while (true) {
                                    String data = queue.poll(15, TimeUnit.SECONDS);
                                    sink.emit(data == null
                                            ? SseEvent.builder().comment("heartbeat").build()
                                            : SseEvent.create(data));
                                }
                            } catch (UncheckedIOException | InterruptedException e) {
                                // the client left, or the server stops
                            } finally {
                                subscribers.remove(queue);
                            }
                        })
                        .get("/stream/tokens", (req, res) -> {
                            int count = Integer.parseInt(req.query().first("count").orElse("1000"));
                            try (SseSink sink = res.sink(SseSink.TYPE)) {
                                for (int i = 0; i < count; i++) {
                                    sink.emit(SseEvent.create("tok" + i));
                                }
                            } catch (UncheckedIOException e) {
                                // the client left
                            }
                        })
                        .post("/publish/{name}", (req, res) -> {
                            String data = req.content().as(String.class);
                            Set<BlockingQueue<String>> subscribers = TOPICS.get(req.path().pathParameters().get("name"));
                            int n = 0;
                            if (subscribers != null) {
                                for (BlockingQueue<String> q : subscribers) {
                                    if (q.offer(data)) {
                                        n++;
                                    }
                                }
                            }
                            res.send("{\"subscribers\": " + n + "}");
                        }))
                .build()
                .start();
        System.out.println("helidon sse server on port " + server.port() + " pid " + ProcessHandle.current().pid());
    }
}
