package dev.runnel.servlet;

import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.testkit.SseLifecycleContract;

import java.net.URI;

/** The lifecycle contract through {@link RunnelServlet} on embedded Jetty 12 EE10. */
class JettyEe10LifecycleTest extends SseLifecycleContract {

    @Override
    protected TestServer start(SseEngine engine, SseHandler handler) throws Exception {
        Container.Running jetty = Container.JETTY.start(engine, new RunnelServlet(engine, handler), Container.Options.DEFAULTS);
        return new TestServer() {
            @Override
            public URI uri(String query) {
                return jetty.uri(query);
            }

            @Override
            public void close() {
                jetty.close();
            }
        };
    }
}
