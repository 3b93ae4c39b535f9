package dev.runnel.reliability;

import dev.runnel.client.EventSourceOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The soak run behind {@code ./runnel soak}: a server in a child JVM publishes a sequence number at
 * a steady rate to a hub topic; thousands of clients follow it, each checking that every number
 * arrives exactly once and in order, and each closing and reconnecting every 1 to 10 s with its
 * {@code Last-Event-ID}, expecting exactly the events it missed. Every 5 s a progress line shows the
 * clients connected, events delivered per second, reconnects, violations and the server's resident
 * memory; at the end a report gives the memory samples, their least-squares slope and PASS or FAIL.
 *
 * <p>FAIL (exit code 1) when any event was lost, delivered twice or out of order, a reset came
 * instead of a resume, a client never resumed, or a client did not receive the last event.
 *
 * <pre>
 *   --minutes N   how long the clients churn (default 5; decimals allowed)
 *   --clients N   how many clients (default 2000)
 *   --rate N      events published per second (default 200)
 *   --report PATH where the report is written too (default target/soak-report.txt)
 *   --chaos       three nodes on a Redis and a schedule of faults instead ({@link ChaosSoak}; 500 clients, 50 publishes/s)
 * </pre>
 */
public final class Soak {

    private static final Duration PROGRESS = Duration.ofSeconds(5);
    private static final Duration MIN_LIFE = Duration.ofSeconds(1);
    private static final Duration MAX_LIFE = Duration.ofSeconds(10);
    private static final Duration DRAIN = Duration.ofSeconds(30);
    private static final int CLIENTS_PER_HTTP_CLIENT = 250;
    private static final String SERVER_HEAP = "-Xmx512m";
    /** The chaos soak's defaults: fewer clients and publishes, since three nodes and Redis share the machine. */
    private static final int CHAOS_CLIENTS = 500;
    private static final int CHAOS_RATE = 50;

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        double minutes = 5;
        int clients = 2000;
        int rate = 200;
        Path report = Path.of("target", "soak-report.txt");
        boolean chaos = false;
        boolean clientsGiven = false;
        boolean rateGiven = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--chaos")) {
                chaos = true;
                continue;
            }
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--minutes" -> minutes = positive(args[i], value, Double::parseDouble);
                case "--clients" -> {
                    clients = positive(args[i], value, Integer::parseInt);
                    clientsGiven = true;
                }
                case "--rate" -> {
                    rate = positive(args[i], value, Integer::parseInt);
                    rateGiven = true;
                }
                case "--report" -> report = Path.of(require(args[i], value));
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        boolean passed = chaos
                ? ChaosSoak.run(minutes, clientsGiven ? clients : CHAOS_CLIENTS, rateGiven ? rate : CHAOS_RATE, report)
                : run(minutes, clients, rate, report);
        System.exit(passed ? 0 : 1);
    }

    private static boolean run(double minutes, int clientCount, int rate, Path reportPath) throws Exception {
        Duration length = Duration.ofMillis((long) (minutes * 60_000));
        // replay generously: a client is away for at most a reconnect, but the check must never see a reset
        int replayCount = (int) Math.min(1_000_000, rate * 120L);
        long replayAgeSeconds = 120;
        Process server = startServer(rate, replayCount, replayAgeSeconds);
        BlockingQueue<String> serverLines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("soak-server-out").start(() -> readLines(server, serverLines));
        List<HttpClient> httpClients = new ArrayList<>();
        List<SoakClient> clients = new ArrayList<>();
        List<Thread> churners = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        SoakStats stats = new SoakStats();
        StringBuilder report = new StringBuilder();
        try (OutputStream toServer = server.getOutputStream()) {
            int port = Integer.parseInt(expect(serverLines, "PORT ", Duration.ofSeconds(30)));
            URI uri = URI.create("http://127.0.0.1:" + port + "/sse/topic/" + SoakServer.TOPIC);
            System.out.printf(Locale.ROOT, "soak: server pid %d on port %d; %d clients, %d events/s, %.1f min%n",
                    server.pid(), port, clientCount, rate, minutes);

            long began = System.nanoTime();
            long deadline = began + length.toNanos();
            for (int i = 0; i < clientCount; i++) {
                if (i % CLIENTS_PER_HTTP_CLIENT == 0) {
                    httpClients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10)).build());
                }
                EventSourceOptions options = EventSourceOptions.DEFAULTS
                        .withHttpClient(httpClients.getLast())
                        .withRetry(Duration.ofMillis(500));
                SoakClient client = new SoakClient(uri, options, stats);
                clients.add(client);
                long rampMillis = ThreadLocalRandom.current().nextLong(Math.min(5000, Math.max(1, length.toMillis() / 10)));
                churners.add(Thread.ofVirtual().name("soak-client-" + i).start(() -> {
                    try {
                        Thread.sleep(rampMillis);
                        client.run(deadline, MIN_LIFE, MAX_LIFE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }

            long lastDelivered = 0;
            long lastAt = began;
            while (true) {
                long now = System.nanoTime();
                long sleep = Math.min(PROGRESS.toNanos(), deadline - now);
                if (sleep <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(sleep);
                now = System.nanoTime();
                double mb = rssMegabytes(server.pid());
                rss.add(mb);
                long delivered = stats.delivered.sum();
                double perSecond = (delivered - lastDelivered) / ((now - lastAt) / 1e9);
                lastDelivered = delivered;
                lastAt = now;
                System.out.printf(Locale.ROOT,
                        "[%4ds] clients %d/%d connected, %,.0f events/s delivered, reconnects %,d, stream errors %,d, violations %d, server RSS %.0f MB%n",
                        (now - began) / 1_000_000_000, stats.connected.get(), clientCount, perSecond,
                        stats.reconnects.sum(), stats.streamErrors.sum(), stats.violations.sum(), mb);
            }
            for (Thread churner : churners) {
                churner.join();
            }

            // stop publishing; every client must then reach the last event
            toServer.write("stop\n".getBytes(StandardCharsets.US_ASCII));
            toServer.flush();
            long last = Long.parseLong(expect(serverLines, "LAST ", Duration.ofSeconds(30)));
            long drainUntil = System.nanoTime() + DRAIN.toNanos();
            while (System.nanoTime() < drainUntil && clients.stream().anyMatch(c -> c.seen() < last)) {
                Thread.sleep(100);
            }
            int behind = 0;
            int neverResumed = 0;
            long resumes = 0;
            for (SoakClient client : clients) {
                if (client.seen() < last) {
                    behind++;
                    stats.violation("a client stopped at event " + client.seen() + " of " + last + " (" + client.state() + ")");
                }
                if (client.resumes() == 0) {
                    neverResumed++;
                    stats.violation("a client never resumed by Last-Event-ID");
                }
                resumes += client.resumes();
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            boolean passed = stats.violations.sum() == 0;

            report.append(String.format(Locale.ROOT, "Runnel soak: %.1f min, %d clients, %d events/s published (replay %d events, %d s)%n",
                    minutes, clientCount, rate, replayCount, replayAgeSeconds));
            report.append(String.format(Locale.ROOT, "published %,d events; delivered %,d (%,.0f/s); reconnects %,d; resumes %,d; streams broken (the client reconnected by itself) %,d%n",
                    last, stats.delivered.sum(), stats.delivered.sum() / seconds, stats.reconnects.sum(), resumes,
                    stats.streamErrors.sum()));
            report.append(String.format(Locale.ROOT, "violations %d (events lost %d, clients behind at the end %d, clients that never resumed %d)%n",
                    stats.violations.sum(), stats.lost.sum(), behind, neverResumed));
            for (String v : stats.firstViolations()) {
                report.append("  ").append(v).append('\n');
            }
            report.append("server RSS MB, every ").append(PROGRESS.toSeconds()).append(" s:");
            for (double mb : rss) {
                report.append(String.format(Locale.ROOT, " %.0f", mb));
            }
            report.append('\n');
            double intervalMinutes = PROGRESS.toMillis() / 60_000.0;
            int warmUp = rss.size() / 5;
            report.append(String.format(Locale.ROOT, "RSS slope %+.2f MB/min over all samples, %+.2f MB/min after the first %d (warm-up); max %.0f MB%n",
                    slope(rss, intervalMinutes), slope(rss.subList(warmUp, rss.size()), intervalMinutes), warmUp,
                    rss.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            report.append(passed ? "PASS" : "FAIL").append('\n');
            return passed;
        } finally {
            clients.forEach(SoakClient::close);
            httpClients.forEach(HttpClient::close);
            // stdin is closed by now: the server stops by itself; make sure
            if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            if (!report.isEmpty()) {
                System.out.print(report);
                Path parent = reportPath.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(reportPath, report);
                System.out.println("soak: report written to " + reportPath);
            }
        }
    }

    /** Least-squares slope of {@code samples} taken every {@code interval} minutes, in MB per minute. */
    static double slope(List<Double> samples, double interval) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double meanX = (n - 1) * interval / 2;
        double meanY = samples.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            double dx = i * interval - meanX;
            num += dx * (samples.get(i) - meanY);
            den += dx * dx;
        }
        return num / den;
    }

    /** The resident set size of a process, from {@code /proc/PID/status}; 0 where there is none. */
    static double rssMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return 0;
    }

    private static Process startServer(int rate, int replayCount, long replayAgeSeconds) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, SERVER_HEAP, "-cp", System.getProperty("java.class.path"),
                SoakServer.class.getName(), Integer.toString(rate), Integer.toString(replayCount),
                Long.toString(replayAgeSeconds))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static void readLines(Process server, BlockingQueue<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the server is gone; expect() times out or the checks fail
        }
    }

    private static String expect(BlockingQueue<String> lines, String prefix, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("the soak server did not say " + prefix.trim() + " within " + timeout);
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
            System.out.println("server: " + line);
        }
    }

    private interface Parser<T extends Number> {
        T parse(String s);
    }

    private static <T extends Number> T positive(String option, String value, Parser<T> parser) {
        try {
            T parsed = parser.parse(require(option, value));
            if (parsed.doubleValue() <= 0) {
                usage(option + " must be above 0, got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            usage(option + " takes a number, got " + value);
            return null;
        }
    }

    private static String require(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("soak: " + problem);
        System.err.println("usage: soak [--chaos] [--minutes N] [--clients N] [--rate N] [--report PATH]");
        System.exit(2);
    }
}
