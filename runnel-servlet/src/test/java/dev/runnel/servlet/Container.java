package dev.runnel.servlet;

import dev.runnel.SseEngine;
import jakarta.servlet.http.HttpServlet;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;

/** The containers the adapter is tested on, each embedded and serving one servlet at {@code /stream} on a free loopback port. */
enum Container {

    TOMCAT {
        @Override
        Running start(SseEngine engine, HttpServlet servlet, Options options) throws Exception {
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(Files.createTempDirectory("runnel-tomcat").toString());
            Connector connector = new Connector();
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            if (options.timeouts() != null) {
                String millis = Long.toString(options.timeouts().toMillis());
                connector.setProperty("connectionTimeout", millis);
                connector.setProperty("keepAliveTimeout", millis);
                connector.setAsyncTimeout(options.timeouts().toMillis());
            }
            tomcat.getService().addConnector(connector);
            tomcat.setConnector(connector);
            StandardContext context = (StandardContext) tomcat.addContext("", null);
            context.setClearReferencesThreadLocals(false); // leak detection needs --add-opens, and nothing is redeployed here
            context.setClearReferencesRmiTargets(false);
            Wrapper wrapper = Tomcat.addServlet(context, "runnel", servlet);
            wrapper.setAsyncSupported(options.asyncSupported());
            wrapper.addMapping("/stream");
            tomcat.start();
            return new Running(engine, connector.getLocalPort(), () -> {
                tomcat.stop();
                tomcat.destroy();
            });
        }
    },

    JETTY {
        @Override
        Running start(SseEngine engine, HttpServlet servlet, Options options) throws Exception {
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
            return new Running(engine, connector.getLocalPort(), server::stop);
        }
    };

    /** How to set the container up. */
    record Options(Duration timeouts, boolean asyncSupported) {
        /** The container's own timeouts, async support on. */
        static final Options DEFAULTS = new Options(null, true);

        /** Every timeout of the container (idle, connection, keep-alive, async) set to {@code timeout}. */
        static Options timeouts(Duration timeout) {
            return new Options(timeout, true);
        }

        static Options withoutAsyncSupport() {
            return new Options(null, false);
        }
    }

    /** Starts the container with {@code servlet} at {@code /stream}. */
    abstract Running start(SseEngine engine, HttpServlet servlet, Options options) throws Exception;

    /** A running container. Closing it shuts the engine down first, as an application would. */
    static final class Running implements AutoCloseable {
        private final SseEngine engine;
        private final int port;
        private final Stop stop;

        Running(SseEngine engine, int port, Stop stop) {
            this.engine = engine;
            this.port = port;
            this.stop = stop;
        }

        /** {@code /stream} plus {@code ?query} when not empty. */
        URI uri(String query) {
            return URI.create("http://127.0.0.1:" + port + "/stream" + (query.isEmpty() ? "" : "?" + query));
        }

        @Override
        public void close() {
            engine.shutdown(engine.shutdownGrace());
            try {
                stop.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the container failed", e);
            }
        }
    }

    @FunctionalInterface
    interface Stop {
        void stop() throws Exception;
    }
}
