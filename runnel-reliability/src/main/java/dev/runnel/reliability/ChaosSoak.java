package dev.runnel.reliability;

import dev.runnel.client.EventSourceOptions;
import dev.runnel.testkit.RedisServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * {@code ./runnel soak --chaos}: three nodes in child JVMs on one Redis ({@code appendfsync always}),
 * clients that move between the nodes with their {@code Last-Event-ID}, publishers posting to every
 * node, and a schedule of faults: a node killed with {@code SIGKILL} and started again, Redis killed
 * and started again, a node stopped with {@code SIGSTOP}, Redis stopped. At the end: events published
 * and delivered, and each client's losses: a publish answered {@code 2xx}, sent while the client was
 * subscribed (since its last stream opened without a {@code Last-Event-ID}), that it never received and for which no {@code runnel:reset} told it it may have missed
 * events. PASS only with nothing lost, duplicated or out of order, and every client at the last publish.
 */
final class ChaosSoak {

    static final String TOPIC = "chaos";
    private static final int NODES = 3;
    private static final Duration PROGRESS = Duration.ofSeconds(5);
    private static final Duration FIRST_FAULT = Duration.ofSeconds(15);
    private static final Duration FAULT_EVERY = Duration.ofSeconds(20);
    private static final Duration NODE_DOWN = Duration.ofSeconds(5);
    private static final Duration REDIS_DOWN = Duration.ofSeconds(2);
    private static final Duration NODE_STALL = Duration.ofSeconds(5);
    private static final Duration REDIS_STALL = Duration.ofSeconds(3);
    private static final Duration MIN_LIFE = Duration.ofSeconds(1);
    private static final Duration MAX_LIFE = Duration.ofSeconds(10);
    private static final Duration DRAIN = Duration.ofSeconds(60);
    private static final int CLIENTS_PER_HTTP_CLIENT = 250;
    private static final String NODE_HEAP = "-Xmx256m";

    private ChaosSoak() {
    }

    /** A node's JVM: started again on the same port after a kill; its memory samples per run. */
    private static final class Node {
        final int index;
        final int port;
        final URI redis;
        final int replay;
        Process process;
        final List<List<Double>> rss = new ArrayList<>();

        Node(int index, int port, URI redis, int replay) {
            this.index = index;
            this.port = port;
            this.redis = redis;
            this.replay = replay;
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + port);
        }

        void start() throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, NODE_HEAP, "-cp", System.getProperty("java.class.path"), ChaosNode.class.getName(),
                    redis.toString(), Integer.toString(port), Integer.toString(replay), "600")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PORT ")) {
                System.out.println("node " + index + ": " + line);
            }
            if (line == null) {
                throw new IOException("node " + index + " ended before it listened");
            }
            rss.add(new ArrayList<>());
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        void sample() {
            if (process.isAlive()) {
                rss.getLast().add(Soak.rssMegabytes(process.pid()));
            }
        }

        void stop() throws InterruptedException, IOException {
            if (process != null && process.isAlive()) {
                signal(process.pid(), false);
                process.getOutputStream().close();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }

        private void close() {
            try {
                stop();
            } catch (InterruptedException | IOException e) {
                process.destroyForcibly();
            }
        }
    }

    static boolean run(double minutes, int clientCount, int rate, Path reportPath) throws Exception {
        Duration length = Duration.ofMillis((long) (minutes * 60_000));
        int replay = (int) Math.min(1_000_000, rate * 120L);
        ChaosStats stats = new ChaosStats();
        StringBuilder report = new StringBuilder();
        List<Node> nodes = new ArrayList<>();
        List<HttpClient> httpClients = new ArrayList<>();
        List<ChaosClient> clients = new ArrayList<>();
        List<Thread> churners = new ArrayList<>();
        ChaosPublisher publisher = new ChaosPublisher(TOPIC, stats);
        int[] faults = new int[4];
        long began = System.nanoTime();
        try (RedisServer redis = RedisServer.start(true)) {
            for (int i = 0; i < NODES; i++) {
                Node node = new Node(i + 1, freePort(), redis.uri(), replay);
                node.start();
                nodes.add(node);
            }
            List<URI> streams = nodes.stream().map(n -> URI.create(n.uri() + "/sse/topic/" + TOPIC)).toList();
            System.out.printf(Locale.ROOT, "chaos soak: Redis on port %d (appendfsync always), nodes on ports %s; %d clients, %d publishes/s, %.1f min%n",
                    redis.port(), nodes.stream().map(n -> Integer.toString(n.port)).toList(), clientCount, rate, minutes);

            long deadline = began + length.toNanos();
            long drainUntil = deadline + DRAIN.toNanos();
            for (int i = 0; i < clientCount; i++) {
                if (i % CLIENTS_PER_HTTP_CLIENT == 0) {
                    httpClients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(2)).build());
                }
                ChaosClient client = new ChaosClient(streams, EventSourceOptions.DEFAULTS.withHttpClient(httpClients.getLast()), stats);
                clients.add(client);
                long ramp = ThreadLocalRandom.current().nextLong(Math.min(5000, Math.max(1, length.toMillis() / 10)));
                churners.add(Thread.ofVirtual().name("chaos-client-" + i).start(() -> {
                    try {
                        Thread.sleep(ramp);
                        client.run(deadline, MIN_LIFE, MAX_LIFE);
                        client.keepFollowing(drainUntil);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            List<Thread> publishers = new ArrayList<>();
            for (Node node : nodes) {
                publishers.add(publisher.start(node.uri(), rate / (double) NODES));
            }

            long nextFault = began + FIRST_FAULT.toNanos();
            long nextProgress = began + PROGRESS.toNanos();
            long lastDelivered = 0;
            long lastAt = began;
            int step = 0;
            while (System.nanoTime() < deadline) {
                long now = System.nanoTime();
                if (now >= nextProgress) {
                    nodes.forEach(Node::sample);
                    long delivered = stats.delivered.sum();
                    double perSecond = (delivered - lastDelivered) / ((now - lastAt) / 1e9);
                    lastDelivered = delivered;
                    lastAt = now;
                    System.out.printf(Locale.ROOT,
                            "[%4ds] clients %d/%d connected, %,.0f events/s delivered; published %,d (503 %,d, unanswered %,d); reconnects %,d, resets %,d, duplicated %d, out of order %d; node RSS MB %s%n",
                            (now - began) / 1_000_000_000, stats.connected.get(), clientCount, perSecond, stats.acknowledged.sum(),
                            stats.refused.sum(), stats.unanswered.sum(), stats.reconnects.sum(), stats.resets.sum(),
                            stats.duplicated.sum(), stats.outOfOrder.sum(), nodes.stream().map(n -> n.rss.getLast().isEmpty() ? "-"
                                    : String.format(Locale.ROOT, "%.0f", n.rss.getLast().getLast())).toList());
                    nextProgress += PROGRESS.toNanos();
                }
                if (now >= nextFault && deadline - now > FAULT_EVERY.toNanos() / 2) {
                    int kind = step++ % 4;
                    faults[kind]++;
                    fault(kind, nodes, redis, began);
                    nextFault = System.nanoTime() + FAULT_EVERY.toNanos();
                }
                Thread.sleep(Math.max(1, Math.min(nextProgress, nextFault) - System.nanoTime()) / 1_000_000 + 1);
            }

            // the end: publishing stops, then one more publish on every node, which every client must get
            publisher.stop();
            for (Thread t : publishers) {
                t.join();
            }
            List<Long> finals = new ArrayList<>();
            for (Node node : nodes) {
                long n = -1;
                for (int attempt = 0; n < 0 && attempt < 100; attempt++) {
                    n = publisher.publish(node.uri());
                    if (n < 0) {
                        Thread.sleep(200);
                    }
                }
                finals.add(n);
            }
            while (System.nanoTime() < drainUntil && !clients.stream().allMatch(c -> finals.stream().allMatch(c::received))) {
                Thread.sleep(200);
            }
            int behind = 0;
            for (ChaosClient c : clients) {
                if (!finals.stream().allMatch(n -> n > 0 && c.received(n))) {
                    behind++;
                    stats.violation("a client did not receive the last publishes " + finals);
                }
            }
            long lost = countLost(clients, publisher.count(), publisher::sent, stats);
            double seconds = (System.nanoTime() - began) / 1e9;
            boolean passed = lost == 0 && stats.duplicated.sum() == 0 && stats.outOfOrder.sum() == 0 && behind == 0;

            report.append(String.format(Locale.ROOT, "Runnel chaos soak: %.1f min, %d clients moving across %d nodes, %d publishes/s, Redis with appendfsync always%n",
                    minutes, clientCount, NODES, rate));
            report.append(String.format(Locale.ROOT, "faults: %d nodes killed (kill -9, started again after %d s), %d Redis restarts (kill -9, %d s down), %d nodes stopped (SIGSTOP %d s), %d Redis stops (SIGSTOP %d s)%n",
                    faults[0], NODE_DOWN.toSeconds(), faults[1], REDIS_DOWN.toSeconds(), faults[2], NODE_STALL.toSeconds(), faults[3], REDIS_STALL.toSeconds()));
            report.append(String.format(Locale.ROOT, "published %,d: acknowledged %,d, refused (503) %,d, unanswered %,d%n",
                    publisher.count(), stats.acknowledged.sum(), stats.refused.sum(), stats.unanswered.sum()));
            report.append(String.format(Locale.ROOT, "delivered %,d (%,.0f/s); reconnects %,d; resets %,d; streams broken %,d%n",
                    stats.delivered.sum(), stats.delivered.sum() / seconds, stats.reconnects.sum(), stats.resets.sum(), stats.streamErrors.sum()));
            report.append(String.format(Locale.ROOT, "lost %d, duplicated %d, out of order %d, clients without the last publishes %d%n",
                    lost, stats.duplicated.sum(), stats.outOfOrder.sum(), behind));
            for (String v : stats.firstViolations()) {
                report.append("  ").append(v).append('\n');
            }
            double interval = PROGRESS.toMillis() / 60_000.0;
            for (Node node : nodes) {
                // the longest run: a node killed often has short ones, whose memory says little
                List<Double> longest = node.rss.stream().max(java.util.Comparator.comparingInt(List::size)).orElseThrow();
                int warmUp = longest.size() / 2;
                report.append(String.format(Locale.ROOT, "node %d: %d run(s); RSS MB every %d s in its longest run:",
                        node.index, node.rss.size(), PROGRESS.toSeconds()));
                for (double mb : longest) {
                    report.append(String.format(Locale.ROOT, " %.0f", mb));
                }
                report.append(String.format(Locale.ROOT, "; slope %+.2f MB/min over the second half, max %.0f MB%n",
                        Soak.slope(longest.subList(warmUp, longest.size()), interval),
                        longest.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            }
            report.append(passed ? "PASS" : "FAIL").append('\n');
            return passed;
        } finally {
            publisher.stop();
            clients.forEach(ChaosClient::close);
            churners.forEach(Thread::interrupt);
            httpClients.forEach(HttpClient::close);
            publisher.close();
            nodes.forEach(Node::close);
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

    /** One fault, undone before it returns. */
    private static void fault(int kind, List<Node> nodes, RedisServer redis, long began) throws Exception {
        Node node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
        String at = String.format(Locale.ROOT, "[%4ds] fault: ", (System.nanoTime() - began) / 1_000_000_000);
        switch (kind) {
            case 0 -> {
                System.out.println(at + "kill -9 node " + node.index + ", started again after " + NODE_DOWN.toSeconds() + " s");
                node.kill();
                Thread.sleep(NODE_DOWN);
                node.start();
            }
            case 1 -> {
                System.out.println(at + "kill -9 Redis, started again after " + REDIS_DOWN.toSeconds() + " s");
                redis.kill();
                Thread.sleep(REDIS_DOWN);
                redis.start();
            }
            case 2 -> {
                System.out.println(at + "SIGSTOP node " + node.index + " for " + NODE_STALL.toSeconds() + " s");
                signal(node.process.pid(), true);
                Thread.sleep(NODE_STALL);
                signal(node.process.pid(), false);
            }
            default -> {
                System.out.println(at + "SIGSTOP Redis for " + REDIS_STALL.toSeconds() + " s");
                signal(redis.pid(), true);
                Thread.sleep(REDIS_STALL);
                signal(redis.pid(), false);
            }
        }
    }

    /**
     * Acknowledged publishes a client never received, sent after its first stream opened, that no
     * reset excuses. A reset excuses a publish that may have come after the last event the client had
     * before it (answered after that event was sent) and was sent before the first event after it.
     */
    static long countLost(List<ChaosClient> clients, long count, LongFunction<ChaosPublisher.Sent> sent, ChaosStats stats) {
        long lost = 0;
        for (ChaosClient c : clients) {
            List<ChaosClient.Reset> resets = c.resets();
            for (long n = 1; n <= count; n++) {
                ChaosPublisher.Sent s = sent.apply(n);
                if (s == null || !s.acknowledged() || s.sentNanos() <= c.firstOpenNanos() || c.received(n)) {
                    continue;
                }
                boolean excused = false;
                for (ChaosClient.Reset r : resets) {
                    ChaosPublisher.Sent before = r.lastBefore() < 0 ? null : sent.apply(r.lastBefore());
                    if ((before == null || s.answeredNanos() >= before.sentNanos()) && s.sentNanos() < r.nextEventNanos()) {
                        excused = true;
                        break;
                    }
                }
                if (!excused) {
                    lost++;
                    stats.violation("publish " + n + " acknowledged (" + (s.answeredNanos() - s.sentNanos()) / 1_000_000 + " ms), sent " + (s.sentNanos() - c.firstOpenNanos()) / 1_000_000
                            + " ms after the client's first stream opened, never received and no reset; the client: " + c);
                }
            }
        }
        return lost;
    }

    static void signal(long pid, boolean stop) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + (stop ? "-STOP " : "-CONT ") + pid + " failed");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
