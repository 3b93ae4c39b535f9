package dev.runnel.servlet;

import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.testkit.SseLifecycleContract;

import java.net.URI;

/** The lifecycle contract through {@link RunnelServlet} on embedded Tomcat 11. */
class TomcatLifecycleTest extends SseLifecycleContract {

    @Override
    protected TestServer start(SseEngine engine, SseHandler handler) throws Exception {
        Container.Running tomcat = Container.TOMCAT.start(engine, new RunnelServlet(engine, handler), Container.Options.DEFAULTS);
        return new TestServer() {
            @Override
            public URI uri(String query) {
                return tomcat.uri(query);
            }

            @Override
            public void close() {
                tomcat.close();
            }
        };
    }
}
