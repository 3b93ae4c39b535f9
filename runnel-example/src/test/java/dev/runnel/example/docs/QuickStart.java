package dev.runnel.example.docs;

// docs:begin quick-start
import dev.runnel.EventStream;
import dev.runnel.SseEvent;
import dev.runnel.jetty.RunnelServer;

import java.time.Duration;

public final class QuickStart {
    public static void main(String[] args) {
        countdown(8080).start();
    }

    static RunnelServer countdown(int port) {
        RunnelServer server = RunnelServer.builder().port(port).build();
        server.sse("/countdown", request -> {
            int from = request.queryInt("from", 3, 1, 60);  // ?from=N, else 400 (before the stream starts)
            return EventStream.producer(out -> {
                for (int i = from; i > 0; i--) {
                    out.emit(SseEvent.of("T-" + i).withId(Integer.toString(i)));
                    Thread.sleep(1000);  // plain blocking code: this runs on a virtual thread
                }
                out.emit("liftoff");
            }).heartbeat(Duration.ofSeconds(10));
        });
        return server;
    }
}
// docs:end quick-start
