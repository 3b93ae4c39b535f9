package dev.runnel.jetty;

import dev.runnel.BadRequestException;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the broadcast path once through a throwaway server, so the JIT has compiled it before the
 * first real event: without it the first broadcasts after start run interpreted and take several
 * times longer than later ones (the first event to 10,000 subscribers, p99 0.6 to 1.9 s against
 * 0.2 s warm).
 *
 * <p>It starts a second {@link RunnelServer} with its own {@link SseEngine} on an ephemeral loopback
 * port, subscribes {@code connections} raw sockets to one topic, publishes {@code events} events to it
 * through HTTP form POSTs (the request path, the hub, the fan-out, the encoder and the writes, as a
 * real publish takes them), waits until every subscriber has read the last one, and stops that server.
 * Compiled code is shared by every instance, so the application's own server is warm afterwards;
 * nothing of the throwaway server stays (its threads, sockets and engine are released, whatever
 * fails). A warm-up that fails or runs out of time is reported, never thrown: the server works as well
 * without it, only colder.
 *
 * <p>Turn it on with {@link RunnelServer.Builder#warmUp(boolean)} (the server then warms up before it
 * binds its port), or call {@link #run()} yourself at start.
 */
public final class WarmUp {

    private static final System.Logger LOG = System.getLogger("dev.runnel.jetty");
    private static final String TOPIC = "warm-up";
    private static final byte[] LAST = "data: last\n".getBytes(StandardCharsets.US_ASCII);

    /** What a warm-up did: the deliveries it made, how long it took, and why it stopped early if it did. */
    public record Report(int connections, long deliveries, Duration took, String failure) {

        /** True when every subscriber read every event. */
        public boolean completed() {
            return failure == null;
        }
    }

    private final int connections;
    private final int events;
    private final Duration budget;

    private WarmUp(int connections, int events, Duration budget) {
        this.connections = connections;
        this.events = events;
        this.budget = budget;
    }

    /** The default warm-up: 256 subscribers, 400 events (102,400 deliveries), at most 10 s. */
    public static Report run() {
        return run(256, 400, Duration.ofSeconds(10));
    }

    /**
     * A warm-up of {@code events} events to {@code connections} subscribers, given up after {@code budget}.
     *
     * @throws IllegalArgumentException for a count below 1, more than 10,000 connections or 100,000
     *         events, or a budget that is not positive
     */
    public static Report run(int connections, int events, Duration budget) {
        if (connections < 1 || connections > 10_000) {
            throw new IllegalArgumentException("warm-up connections must be from 1 to 10000, got " + connections);
        }
        if (events < 1 || events > 100_000) {
            throw new IllegalArgumentException("warm-up events must be from 1 to 100000, got " + events);
        }
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("warm-up budget must be positive, got " + budget);
        }
        return new WarmUp(connections, events, budget).runOnce();
    }

    /**
     * Runs the default warm-up and prints what it did: a training workload for a JDK AOT cache
     * ({@code java -XX:AOTCacheOutput=runnel.aot -cp ... dev.runnel.jetty.WarmUp}). Exits 1 when it
     * did not complete.
     */
    public static void main(String[] args) {
        Report report = run();
        System.out.println("warm-up: " + report.deliveries() + " deliveries to " + report.connections() + " subscribers in "
                + report.took().toMillis() + " ms" + (report.completed() ? "" : "; stopped early: " + report.failure()));
        if (!report.completed()) {
            System.exit(1);
        }
    }

    private Report runOnce() {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        AtomicLong delivered = new AtomicLong();
        String failure = null;
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = RunnelServer.builder().host("127.0.0.1").port(0).engine(engine).build()
                .role("Runnel warm-up (a throwaway server: " + connections + " subscribers, " + events + " events)");
        Hub hub = engine.hub();
        server.sse("/sse/{name}", request -> hub.subscribe(request, request.pathParam("name")));
        server.post("/publish/{name}", request -> {
            String data = request.form("data").orElseThrow(() -> new BadRequestException("form field 'data' is required"));
            hub.publish(request.context().pathParam("name"), data);
            return HttpResponse.text(200, "ok");
        });
        List<Socket> sockets = new ArrayList<>();
        try {
            server.start();
            CountDownLatch done = new CountDownLatch(connections);
            CountDownLatch subscribed = new CountDownLatch(connections);
            for (int i = 0; i < connections; i++) {
                Socket socket = connect(server.port());
                sockets.add(socket);
                Thread.ofVirtual().name("runnel-warm-up-reader").start(() -> read(socket, subscribed, done, delivered));
            }
            if (!subscribed.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
                failure = "the subscribers did not get their headers in time";
            } else if (!awaitSubscribers(hub, deadline)) {
                failure = "the subscriptions did not register in time";
            } else {
                failure = publish(server.port(), deadline);
                if (failure == null && !done.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
                    failure = "the subscribers did not read every event in time";
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (Exception | LinkageError e) {
            failure = e.toString();
        } finally {
            for (Socket socket : sockets) {
                closeQuietly(socket);
            }
            try {
                server.stop();
            } catch (RuntimeException e) {
                failure = failure == null ? "stopping the warm-up server: " + e : failure;
            }
        }
        Report report = new Report(connections, delivered.get(), Duration.ofNanos(System.nanoTime() - start), failure);
        LOG.log(failure == null ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                () -> "warm-up: " + report.deliveries() + " deliveries to " + connections + " subscribers in "
                        + report.took().toMillis() + " ms" + (report.failure() == null ? "" : "; stopped early: " + report.failure()));
        return report;
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        try {
            socket.setSoTimeout(1000);
            socket.getOutputStream().write(("GET /sse/" + TOPIC + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private boolean awaitSubscribers(Hub hub, long deadline) throws InterruptedException {
        while (hub.subscribers(TOPIC) < connections) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /**
     * Reads one subscriber's stream until the last event, counting events; ends quietly when its socket
     * is closed. Counts {@code subscribed} down on the response head and {@code done} on the last event.
     */
    private static void read(Socket socket, CountDownLatch subscribed, CountDownLatch done, AtomicLong delivered) {
        byte[] buffer = new byte[16 * 1024];
        Matcher events = new Matcher("\ndata: ".getBytes(StandardCharsets.US_ASCII));
        Matcher last = new Matcher(LAST);
        Matcher head = new Matcher("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        boolean headRead = false;
        try {
            InputStream in = socket.getInputStream();
            while (!socket.isClosed()) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (!headRead) {
                        if (head.feed(b)) {
                            headRead = true;
                            subscribed.countDown();
                            events.reset('\n');
                        }
                        continue;
                    }
                    if (events.feed(b)) {
                        delivered.incrementAndGet();
                    }
                    if (last.feed(b)) {
                        done.countDown();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // the warm-up ended (or the server went away): the latches tell the outcome
        }
    }

    /** Publishes the events on one keep-alive connection, each POST read to its end; null when all were 200. */
    private String publish(int port, long deadline) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining(deadline))));
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 1; i <= events; i++) {
                if (System.nanoTime() > deadline) {
                    return "publishing ran out of time after " + (i - 1) + " events";
                }
                String body = "data=" + (i == events ? "last" : "warm-" + i + "-" + "x".repeat(i % 64));
                out.write(("POST /publish/" + TOPIC + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = readResponse(in);
                if (!status.startsWith("HTTP/1.1 200")) {
                    return "a warm-up publish got '" + status + "'";
                }
            }
            return null;
        }
    }

    /** Reads one response with a Content-Length body; returns its status line. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        Matcher end = new Matcher("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the warm-up server closed the publishing connection");
            }
            head.write(b);
            if (end.feed((byte) b)) {
                break;
            }
            if (head.size() > 16 * 1024) {
                throw new IOException("the warm-up server's response head is too long");
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        in.readNBytes(length);
        return text.substring(0, text.indexOf("\r\n"));
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a loopback socket: nothing to do about a failure
        }
    }

    /** Finds one byte sequence in a stream of bytes fed one at a time (its prefix never repeats inside it). */
    private static final class Matcher {
        private final byte[] pattern;
        private int matched;

        Matcher(byte[] pattern) {
            this.pattern = pattern;
        }

        /** True when {@code b} completes the pattern. */
        boolean feed(byte b) {
            if (b == pattern[matched]) {
                matched++;
            } else {
                matched = b == pattern[0] ? 1 : 0;
            }
            if (matched == pattern.length) {
                matched = 0;
                return true;
            }
            return false;
        }

        /** As if {@code b} had just been fed (the stream's first event follows a blank line too). */
        void reset(char b) {
            matched = b == pattern[0] ? 1 : 0;
        }
    }
}
