package dev.runnel.bench.server;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;

/**
 * Runnel as the load tool's target: the embedded server with the hub's topic route and a publish
 * route, as the demo has them, and nothing else. {@code GET /sse/topic/{name}} subscribes;
 * {@code POST /publish/{name}} with form field {@code data} publishes the field as the event's data
 * (the load tool puts its timestamp there). {@code GET /stream/tokens?count=N} streams N small
 * events ({@code tok0}, {@code tok1}, ...) from a producer in the server, as fast as the connection
 * takes them. Default engine and server options but one:
 * {@code maxStreams} is raised from its default (the file limit less 10%, 18,000 under a limit of
 * 20,000) to 19,600, so the idle benchmark can hold about 19k streams as it does for the peers.
 *
 * <pre>java -cp benchmarks.jar dev.runnel.bench.server.RunnelBenchServer [PORT]</pre>
 */
public final class RunnelBenchServer {

    private RunnelBenchServer() {
    }

    public static RunnelServer start(int port) {
        SseEngine engine = SseEngine.builder().maxStreams(19_600).build();
        Hub hub = engine.hub();
        RunnelServer server = RunnelServer.builder().port(port).engine(engine).build();
        server.sse("/sse/topic/{name}", request -> hub.subscribe(request, request.pathParam("name")));
        server.post("/publish/{name}", request -> {
            String data = request.form("data").orElseThrow(() -> new BadRequestException("form field 'data' is required"));
            hub.publish(request.context().pathParam("name"), data);
            return HttpResponse.text(200, "ok");
        });
        server.sse("/stream/tokens", request -> {
            int count = request.queryInt("count", 1000, 1, Integer.MAX_VALUE);
            return EventStream.producer(out -> {
                for (int i = 0; i < count; i++) {
                    out.emit("tok" + i);
                }
            });
        });
        return server.start();
    }

    public static void main(String[] args) throws InterruptedException {
        RunnelServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 8090);
        System.out.println("runnel bench server on " + server.uri() + " pid " + ProcessHandle.current().pid());
        Thread.currentThread().join();
    }
}
