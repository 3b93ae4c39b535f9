package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;

import java.time.Duration;

/**
 * A server for {@link FileDescriptorExhaustionTest}, run in a child JVM with a small file
 * descriptor limit. Prints its port, then serves until its standard input closes.
 */
public final class FdExhaustionServer {

    private FdExhaustionServer() {
    }

    public static void main(String[] args) throws Exception {
        // no stream limit: this server is meant to run into the process's descriptor limit
        RunnelServer server = RunnelServer.builder().port(0)
                .engine(SseEngine.builder().maxStreams(1_000_000).build()).build();
        server.sse("/s", req -> EventStream.producer(out -> {
            out.emit("open");
            Thread.sleep(Duration.ofHours(1));
        }).heartbeat(Duration.ofSeconds(60)));
        server.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our input
        }
        server.stop();
    }
}
