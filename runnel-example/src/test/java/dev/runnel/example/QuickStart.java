package dev.runnel.example;

import dev.runnel.EventStream;
import dev.runnel.SseEvent;
import dev.runnel.jetty.RunnelServer;

import java.time.Duration;

public final class QuickStart {
    public static void main(String[] args) {
        RunnelServer server = RunnelServer.builder().port(8080).build();
        server.sse("/countdown", request -> EventStream.producer(out -> {
            int from = request.queryInt("from", 3, 1, 60);  // ?from=N, else 400
            for (int i = from; i > 0; i--) {
                out.emit(SseEvent.of("T-" + i).withId(Integer.toString(i)));
                Thread.sleep(1000);  // plain blocking code: this runs on a virtual thread
            }
            out.emit("liftoff");
        }).heartbeat(Duration.ofSeconds(10)));
        server.start();
    }
}
