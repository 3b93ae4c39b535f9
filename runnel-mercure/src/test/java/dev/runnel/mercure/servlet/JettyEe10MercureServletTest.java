package dev.runnel.mercure.servlet;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

import java.util.Map;

/** {@link MercureServlet} in embedded Jetty 12 EE10. */
class JettyEe10MercureServletTest extends MercureServletContract {

    @Override
    Running start(Map<String, MercureServlet> byContextPath) throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // Jetty refuses %2F in a path (400, an ambiguous path separator) unless allowed
        http.setUriCompliance(UriCompliance.DEFAULT.with("mercure", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        byContextPath.forEach((path, servlet) -> {
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath(path);
            // and the servlet layer refuses it again unless told the application reads the path as sent
            context.getServletHandler().setDecodeAmbiguousURIs(true);
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            for (String mapping : MercureServlet.MAPPINGS) {
                context.addServlet(holder, mapping);
            }
            contexts.addHandler(context);
        });
        server.setHandler(contexts);
        server.start();
        return new Running(connector.getLocalPort(), server::stop);
    }
}
