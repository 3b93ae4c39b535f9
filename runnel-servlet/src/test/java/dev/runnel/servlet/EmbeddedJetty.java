package dev.runnel.servlet;

import dev.runnel.SseEngine;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12 EE10 for {@link Container#JETTY}; the only test class that links Jetty's. */
final class EmbeddedJetty {

    private EmbeddedJetty() {
    }

    static Container.Running start(SseEngine engine, HttpServlet servlet, Container.Options options) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        if (options.timeouts() != null) {
            connector.setIdleTimeout(options.timeouts().toMillis());
        }
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(options.asyncSupported());
        context.addServlet(holder, "/stream");
        server.setHandler(context);
        server.start();
        return new Container.Running(engine, connector.getLocalPort(), server::stop);
    }
}
