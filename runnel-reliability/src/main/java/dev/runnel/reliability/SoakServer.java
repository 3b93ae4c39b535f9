package dev.runnel.reliability;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.jetty.RunnelServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak's server, in a JVM of its own so that its resident memory is the server's alone.
 *
 * <p>Serves {@code /sse/topic/{name}} from the engine's hub and publishes {@code 1, 2, 3, ...} to
 * the topic {@code soak} at a steady rate. Talks to {@link Soak} over its standard streams: it
 * prints {@code PORT p} once listening; {@code stop} on stdin stops publishing and prints
 * {@code LAST n}; the end of stdin (the parent exited, however it did) stops the server.
 */
final class SoakServer {

    static final String TOPIC = "soak";

    private SoakServer() {
    }

    /** Arguments: events per second, replay count, replay age in seconds. */
    public static void main(String[] args) throws Exception {
        // the soak counts cut-off slow clients itself; one log line each would drown its progress lines
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        int rate = Integer.parseInt(args[0]);
        int replayCount = Integer.parseInt(args[1]);
        Duration replayAge = Duration.ofSeconds(Long.parseLong(args[2]));

        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withReplay(replayCount, replayAge)).build();
        Hub hub = engine.hub();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).http2(false).build();
        server.sse("/sse/topic/{name}", request -> hub.subscribe(request, request.pathParam("name")));
        server.start();

        Publisher publisher = new Publisher(hub, rate);
        Thread publishing = Thread.ofPlatform().name("soak-publisher").daemon().start(publisher);
        System.out.println("PORT " + server.port());
        System.out.flush();

        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("stop")) {
                    publisher.stop();
                    publishing.join();
                    System.out.println("LAST " + publisher.published());
                    System.out.flush();
                }
            }
        } finally {
            publisher.stop();
            server.stop();
        }
    }

    /** Publishes the sequence numbers at a fixed rate, catching up (not drifting) after a late wake-up. */
    private static final class Publisher implements Runnable {
        private final Hub hub;
        private final long intervalNanos;
        private volatile boolean running = true;
        private volatile long published;

        Publisher(Hub hub, int rate) {
            this.hub = hub;
            this.intervalNanos = 1_000_000_000L / rate;
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            while (running) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                hub.publish(TOPIC, Long.toString(published + 1));
                published++;
                next += intervalNanos;
            }
        }

        void stop() {
            running = false;
        }

        long published() {
            return published;
        }
    }
}
