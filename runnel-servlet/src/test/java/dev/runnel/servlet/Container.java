package dev.runnel.servlet;

import dev.runnel.SseEngine;
import jakarta.servlet.http.HttpServlet;

import java.net.URI;
import java.time.Duration;

/**
 * The containers the adapter is tested on, each embedded and serving one servlet at {@code /stream} on a free loopback port.
 * Each container's code lives in a class of its own, linked only when that container starts, so this enum
 * loads on a class path that has one container only.
 */
enum Container {

    TOMCAT {
        @Override
        Running start(SseEngine engine, HttpServlet servlet, Options options) throws Exception {
            return EmbeddedTomcat.start(engine, servlet, options);
        }
    },

    JETTY {
        @Override
        Running start(SseEngine engine, HttpServlet servlet, Options options) throws Exception {
            return EmbeddedJetty.start(engine, servlet, options);
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
