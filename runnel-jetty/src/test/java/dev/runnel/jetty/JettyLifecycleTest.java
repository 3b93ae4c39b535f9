package dev.runnel.jetty;

import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.testkit.SseLifecycleContract;

import java.net.URI;

/** The lifecycle contract over the embedded Jetty server. */
class JettyLifecycleTest extends SseLifecycleContract {

    @Override
    protected TestServer start(SseEngine engine, SseHandler handler) {
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/stream", handler);
        server.start();
        return new TestServer() {
            @Override
            public URI uri(String query) {
                return server.uri().resolve("/stream" + (query.isEmpty() ? "" : "?" + query));
            }

            @Override
            public void close() {
                server.stop();
            }
        };
    }
}
