package dev.runnel.bench.load;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SSE load tool: many connections to any SSE server, events published through its HTTP publish
 * endpoint with a timestamp in the payload, publish-to-receive latency in an HdrHistogram.
 *
 * <pre>
 * LoadTool fanout  --url SUB_URL --publish 'POST PUB_URL' [--header 'K: V']... --body 'data={ts}'
 *                  [--cold 3] (the first events after start, measured apart) [--max-in-flight 128]
 *                  (--rates ...,max: after the ramp, publishes back to back with --max-in-flight in flight)
 *                  [--subscribers 1000] [--rates 10,20,50,...] [--step-seconds 5] [--singles 5]
 *                  (several topics at once: --url SUB_A,SUB_B with one --publish per topic, in the
 *                  same order; subscribers split evenly, and each tick publishes to every topic)
 *                  (a subscription of its own per connection: {n} in SUB_URL, the connection's number;
 *                  a topic of its own per publish: {seq} in PUB_URL, the publish's number)
 * LoadTool stream  --url STREAM_URL [--count 1000000] [--warmup COUNT/5] [--seconds 30]
 *                  (one connection to STREAM_URL?count=N, whose server makes the N events itself)
 * LoadTool idle    --url SUB_URL --server-pid PID [--counts 1000,10000,19000]
 *                  [--publish 'POST PUB_URL' --body ... [--idle-events 1]] (events sent to every connection
 *                  before each measurement, so each holds a live stream's state: a compressor's, say)
 * LoadTool connect --url SUB_URL [--connections 5000] [--rounds 3]
 * common:          [--sources 4] (source addresses 127.0.0.2 ...) [--per-process 18000] [--server-pid PID]
 *                  [--label NAME] [--accept-encoding gzip|zstd] (every connection asks for that coding,
 *                  fails unless the response has it, and decodes it itself)
 * cluster:         --url repeated or comma-separated: connections go round-robin to the URLs (the
 *                  nodes), and fanout counts each node's subscribers; --server-pid PID,PID,... sums
 *                  the nodes' CPU; [--redis-pid PID] adds a column for Redis;
 *                  [--connect-seconds 120] [--single-seconds 10] [--drain-seconds 5] [--p99-limit-ms 1000]
 *                  [--min-open 1] (the share of subscribers that must connect) for large fleets
 * </pre>
 * Prints a Markdown table per scenario. Every row carries the load tool's own CPU share (all its
 * processes, as a share of all cores), and the server's when its pid is given: a row where the
 * load tool is near 100% measures the load tool, not the server.
 *
 * <p>Besides the Markdown, each headline figure is printed once more as a line for programs:
 * {@code RESULT server=NAME metric="what (unit)" value=N [tool_cpu=% server_cpu=% other_cpu=%] [chart=yes]};
 * a ramp step as {@code RESULT server=NAME point=ramp rate=N x=DELIVERIES_PER_S y=P99_MS}; a remark as
 * {@code RESULT server=NAME note="..."}. {@code dev.runnel.bench.report.Report} reads them.
 */
public final class LoadTool {

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** In {@code --rates}: publish back to back instead of at a rate (see {@link Publisher}). */
    private static final String MAX_RATE = "max";

    private final Map<String, List<String>> options;
    private final String label;
    private final long serverPid;
    /** Every server process given (the nodes of a cluster); their CPU is summed. */
    private final List<Long> serverPids = new ArrayList<>();
    private final long redisPid;

    private LoadTool(Map<String, List<String>> options) {
        this.options = options;
        this.label = option("label", "server");
        for (String csv : options.getOrDefault("server-pid", List.of())) {
            for (String pid : csv.split(",")) {
                serverPids.add(Long.parseLong(pid.trim()));
            }
        }
        this.serverPid = serverPids.isEmpty() ? -1 : serverPids.get(0);
        this.redisPid = Long.parseLong(option("redis-pid", "-1"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: LoadTool fanout|stream|idle|connect --url URL ... (see the class's Javadoc)");
            System.exit(2);
        }
        if (args[0].equals("worker")) {
            worker(uris(List.of(args[1])), args[2].equals("-") ? List.of() : addresses(args[2]),
                    args.length > 3 ? Long.parseLong(args[3]) : 0, args.length > 4 && !args[4].equals("-") ? args[4] : null);
            return;
        }
        run(args);
        System.exit(0);
    }

    /** Runs one scenario in this JVM: {@code args} as for {@link #main}, without a worker's. */
    static void run(String... args) throws Exception {
        Map<String, List<String>> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value at '" + args[i] + "'");
            }
            options.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[i + 1]);
        }
        LoadTool tool = new LoadTool(options);
        switch (args[0]) {
            case "fanout" -> tool.fanout(tool.intOption("subscribers", 1000), "10,20,50,100,200,500,1000,2000");
            case "stream" -> tool.stream();
            case "idle" -> tool.idle();
            case "connect" -> tool.connect();
            default -> throw new IllegalArgumentException("unknown scenario '" + args[0] + "'");
        }
    }

    // ---- options

    private String option(String name, String fallback) {
        List<String> v = options.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    private int intOption(String name, int fallback) {
        return Integer.parseInt(option(name, Integer.toString(fallback)));
    }

    private static List<InetAddress> addresses(String csv) throws Exception {
        List<InetAddress> list = new ArrayList<>();
        for (String s : csv.split(",")) {
            list.add(InetAddress.getByName(s));
        }
        return list;
    }

    /** Every URL in the values, each of which may be a comma-separated list. */
    private static List<URI> uris(List<String> values) {
        List<URI> list = new ArrayList<>();
        for (String csv : values) {
            for (String u : csv.split(",")) {
                list.add(SseConnections.url(u.trim()));
            }
        }
        return list;
    }

    private List<URI> urls() {
        List<String> values = options.get("url");
        if (values == null) {
            throw new IllegalArgumentException("--url is required");
        }
        return uris(values);
    }

    private List<InetAddress> sources() throws Exception {
        int n = intOption("sources", 4);
        List<InetAddress> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(InetAddress.getByName("127.0.0." + (2 + i)));
        }
        return list;
    }

    private Fleet fleet(int connections) throws Exception {
        List<URI> urls = urls();
        int perProcess = intOption("per-process", 18_000);
        if (connections <= perProcess) {
            return Fleet.local(urls, sources(), acceptEncoding());
        }
        int processes = (connections + perProcess - 1) / perProcess;
        System.err.printf("load: %d connections: starting %d worker processes%n", connections, processes);
        return Fleet.workers(urls, sources(), processes, acceptEncoding());
    }

    /** {@code --accept-encoding gzip|zstd}: every connection asks for that coding and decodes it; null: none. */
    private String acceptEncoding() {
        return option("accept-encoding", null);
    }

    private Publisher publisher() {
        List<Publisher.Template> templates = new ArrayList<>();
        for (String publish : options.getOrDefault("publish", List.of())) {
            String[] pub = publish.split(" ", 2);
            URI.create(pub[1].replace(Publisher.SEQ, "0")); // malformed: fail now, not at the first publish
            templates.add(new Publisher.Template(pub[0], pub[1],
                    options.getOrDefault("header", List.of()), option("body", "{ts}")));
        }
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("--publish is required");
        }
        return new Publisher(templates, intOption("max-in-flight", 128));
    }

    // ---- measuring

    /**
     * CPU of the load tool (all processes), of the server (all nodes; -1: unknown), of Redis (-1: not
     * given) and of the whole machine, in ns, and wall time: cumulative readings, or the difference
     * of two ({@link #since}).
     */
    private record Cpu(long tool, long server, long redis, long machine, long wallNanos) {
        Cpu since(Cpu earlier) {
            return new Cpu(tool - earlier.tool, server < 0 ? -1 : server - earlier.server,
                    redis < 0 ? -1 : redis - earlier.redis, machine - earlier.machine, wallNanos - earlier.wallNanos);
        }

        Cpu plus(Cpu other) {
            return new Cpu(tool + other.tool, server < 0 || other.server < 0 ? -1 : server + other.server,
                    redis < 0 || other.redis < 0 ? -1 : redis + other.redis, machine + other.machine, wallNanos + other.wallNanos);
        }

        /** Shares of all cores, in percent: load tool, server, everything else, Redis (NaN: unknown). */
        double[] shares() {
            // everything else on the machine: other engineers' builds show here
            long others = Math.max(0, machine - tool - Math.max(0, server) - Math.max(0, redis));
            return new double[] {share(tool), server < 0 ? Double.NaN : share(server), share(others),
                    redis < 0 ? Double.NaN : share(redis)};
        }

        private double share(long cpu) {
            return 100.0 * cpu / wallNanos / CORES;
        }

        /** Markdown cells: load tool, server, other CPU, and Redis when known. */
        String cells() {
            double[] s = shares();
            return String.format(Locale.ROOT, "%.0f%% | %s | %.0f%%", s[0],
                    Double.isNaN(s[1]) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", s[1]), s[2])
                    + (Double.isNaN(s[3]) ? "" : String.format(Locale.ROOT, " | %.0f%%", s[3]));
        }

        /** The same as RESULT fields. */
        String fields() {
            double[] s = shares();
            return String.format(Locale.ROOT, " tool_cpu=%.0f server_cpu=%s other_cpu=%.0f", s[0],
                    Double.isNaN(s[1]) ? "n/a" : String.format(Locale.ROOT, "%.0f", s[1]), s[2])
                    + (Double.isNaN(s[3]) ? "" : String.format(Locale.ROOT, " redis_cpu=%.0f", s[3]));
        }
    }

    private Cpu cpu(SseConnections.Snapshot s) {
        return cpu(s.cpuNanos());
    }

    /** {@code workerCpuNanos}: CPU of worker processes, which this JVM's own figure leaves out. */
    private Cpu cpu(long workerCpuNanos) {
        long server = -1;
        for (long pid : serverPids) {
            server = Math.max(server, 0) + ProcessStats.cpuNanos(pid);
        }
        return new Cpu(ProcessStats.ownCpuNanos() + workerCpuNanos, server,
                redisPid > 0 ? ProcessStats.cpuNanos(redisPid) : -1, ProcessStats.machineBusyNanos(), System.nanoTime());
    }

    /** The Redis column's header, when a Redis pid was given. */
    private String redisHeader() {
        return redisPid > 0 ? " redis CPU |" : "";
    }

    private String redisRule() {
        return redisPid > 0 ? "---:|" : "";
    }

    // ---- lines for programs (see the class's Javadoc)

    /** One headline figure; {@code cpu} (may be null) is the CPU over its measurement. */
    private void result(String metric, double value, Cpu cpu, boolean chart) {
        System.out.printf(Locale.ROOT, "RESULT server=%s metric=\"%s\" value=%s%s%s%n", label, metric, number(value),
                cpu == null ? "" : cpu.fields(), chart ? " chart=yes" : "");
    }

    private void note(String text) {
        System.out.printf("RESULT server=%s note=\"%s\"%n", label, text.replace('"', '\''));
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * Waits until {@code target} connections are open or every one asked for has opened or failed;
     * or until the timeout, or 30 s without any connection opening or failing (a connect whose
     * final ACK a full accept queue dropped looks open to the client and never gets its answer).
     */
    private static SseConnections.Snapshot awaitOpen(Fleet fleet, int target, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long nextProgress = System.currentTimeMillis() + 5_000;
        long settled = -1;
        long lastChange = System.currentTimeMillis();
        while (true) {
            SseConnections.Snapshot s = fleet.snapshot();
            if (s.open() + s.failed() != settled) {
                settled = s.open() + s.failed();
                lastChange = System.currentTimeMillis();
            }
            if (s.open() + s.failed() >= target || System.currentTimeMillis() > deadline
                    || System.currentTimeMillis() - lastChange > 30_000) {
                return s;
            }
            if (System.currentTimeMillis() >= nextProgress) { // large fleets take a while: show that it moves
                nextProgress += 5_000;
                System.err.printf("load: connecting: %d of %d open, %d failed%n", s.open(), target, s.failed());
            }
            Thread.sleep(50);
        }
    }

    /** Waits until no event has arrived for half a second, or the timeout passes. */
    private static void awaitQuiet(Fleet fleet, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long events = fleet.snapshot().events();
        long quietSince = System.currentTimeMillis();
        while (System.currentTimeMillis() - quietSince < 500 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            long now = fleet.snapshot().events();
            if (now != events) {
                events = now;
                quietSince = System.currentTimeMillis();
            }
        }
    }

    private static String ms(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f", millis(h, percentile));
    }

    private static double millis(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private void header(String scenario) {
        System.out.printf("%n### %s: %s%n%n", label, scenario);
        System.out.printf("load tool: %d cores seen, sources %s, options %s%n%n", CORES, option("sources", "4"), options);
    }

    // ---- scenarios

    private void fanout(int subscribers, String defaultRates) throws Exception {
        header("fan-out to " + subscribers);
        double stepSeconds = Double.parseDouble(option("step-seconds", "5"));
        try (Fleet fleet = fleet(subscribers); Publisher publisher = publisher()) {
            fleet.open(subscribers);
            long connectStart = System.nanoTime();
            SseConnections.Snapshot s = awaitOpen(fleet, subscribers, 1000L * intOption("connect-seconds", 120));
            System.out.printf(Locale.ROOT, "open: %d of %d (failed %d) in %.1f s%n%n", s.open(), subscribers, s.failed(),
                    (System.nanoTime() - connectStart) / 1e9);
            double minOpen = Double.parseDouble(option("min-open", "1"));
            if (s.open() < subscribers && s.open() >= subscribers * minOpen) {
                // --min-open 0.999: a handful that never got an answer do not void a 100,000-connection run
                note(s.open() + " of " + subscribers + " subscribers connected (at least " + number(minOpen)
                        + " asked for): measuring with those");
                System.out.printf("measuring with the %d open subscribers%n%n", s.open());
                subscribers = s.open();
            }
            if (s.open() < subscribers) {
                System.out.println("**not all subscribers connected: stopping**");
                note("not all subscribers connected (" + s.open() + " of " + subscribers + "): no measurement");
                return;
            }
            Thread.sleep(1000);
            int singles = intOption("singles", 5);
            int cold = intOption("cold", 3);
            System.out.println("| single event | delivered | to first (ms) | p50 (ms) | p99 (ms) | to all (ms) | publish call (ms) |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            // the first events after the server started (its JIT cold, the publisher's connection new): apart
            List<Double> coldP99s = new ArrayList<>();
            for (int i = 1; i <= cold; i++) {
                Single one = single(fleet, publisher, subscribers, "cold " + i);
                if (one.reachedAll()) {
                    coldP99s.add(one.p99());
                }
                if (i == 1 && one.reachedAll()) {
                    result("first single event after start: p99 over subscribers (ms)", one.p99(), null, false);
                }
            }
            if (!coldP99s.isEmpty()) {
                result("cold single events (first " + cold + "): median p99 over subscribers (ms)", median(coldP99s), null, false);
            }
            if (coldP99s.size() < cold) {
                note((cold - coldP99s.size()) + " of the " + cold + " cold single events did not reach every subscriber within "
                        + intOption("single-seconds", 10) + " s");
            }
            awaitQuiet(fleet, 1000L * intOption("single-seconds", 10)); // a large fleet may still be receiving them
            if (singles > 0) {
                SseConnections.Snapshot beforeSingles = fleet.snapshot();
                List<Double> p50s = new ArrayList<>();
                List<Double> p99s = new ArrayList<>();
                List<Double> toAll = new ArrayList<>();
                Cpu cpuBeforeSingles = cpu(beforeSingles);
                long deliveredSingles = 0;
                Histogram calls = new Histogram(SseConnections.MAX_MICROS, 3);
                for (int i = 1; i <= singles; i++) {
                    Single one = single(fleet, publisher, subscribers, Integer.toString(i));
                    calls.recordValue(Math.round(one.callMillis() * 1000));
                    if (one.reachedAll()) {
                        p50s.add(one.p50());
                        p99s.add(one.p99());
                        toAll.add(one.toAll());
                    }
                    deliveredSingles += one.delivered();
                }
                System.out.println();
                Cpu singlesCpu = cpu(fleet.snapshot()).since(cpuBeforeSingles);
                System.out.printf(Locale.ROOT, "publish call over the single events: p50 %s ms, p99 %s ms%n%n", ms(calls, 50), ms(calls, 99));
                if (calls.getTotalCount() > 0) {
                    result("publish call, single events: p50 (ms)", millis(calls, 50), null, false);
                    result("publish call, single events: p99 (ms)", millis(calls, 99), null, false);
                }
                if (singlesCpu.server() >= 0 && deliveredSingles > 0) {
                    // the CPU a delivery costs the server, idle time between the events included (it costs next to nothing)
                    double perDelivery = singlesCpu.server() / 1000.0 / deliveredSingles;
                    System.out.printf(Locale.ROOT, "server CPU during the single events: %.2f s, %.1f us per delivery%n%n",
                            singlesCpu.server() / 1e9, perDelivery);
                    result("single events: server CPU per delivery (us)", perDelivery, singlesCpu, false);
                }
                if (urls().size() > 1) {
                    perNode(beforeSingles, fleet.snapshot(), singles);
                }
                if (toAll.size() < singles) {
                    note((singles - toAll.size()) + " of " + singles + " single events did not reach every subscriber within "
                            + intOption("single-seconds", 10) + " s");
                }
                if (!toAll.isEmpty()) {
                    result("single event to all N: p50 over subscribers (ms)", median(p50s), null, false);
                    result("single event to all N: p99 over subscribers (ms)", median(p99s), null, false);
                    result("single event to all N: to the last one (ms)", median(toAll), null, false);
                }
            }
            System.out.println("| publish/s asked | published | skipped | deliveries/s | lost | dropped conns | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | publish call p50 (ms) | publish call p99 (ms) | load tool CPU | server CPU | other CPU |" + redisHeader());
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + redisRule());
            String[] rates = option("rates", defaultRates).split(",");
            // "max": after the ramp, however it ended, publishes back to back (next when a place in flight is free)
            int backToBackStep = -1;
            for (int i = 0; i < rates.length; i++) {
                if (rates[i].trim().equals(MAX_RATE)) {
                    backToBackStep = i;
                }
            }
            boolean retried = false;
            long p99LimitMs = intOption("p99-limit-ms", 1000);
            String limit = p99LimitMs % 1000 == 0 ? p99LimitMs / 1000 + " s" : p99LimitMs + " ms";
            double bestDeliveries = -1;
            double bestP99 = 0;
            Cpu bestCpu = null;
            String stopped = "the last step passed";
            for (int step = 0; step < rates.length; step++) {
                boolean backToBack = step == backToBackStep;
                double rate = backToBack ? Double.POSITIVE_INFINITY : Double.parseDouble(rates[step]);
                SseConnections.Snapshot start = fleet.snapshot();
                publisher.callLatency(); // a fresh interval
                Cpu c0 = cpu(start);
                long t0 = System.nanoTime();
                Publisher.Result pub = publisher.run(rate, stepSeconds);
                // with several topics each publish reaches its topic's share of the subscribers
                long expected = pub.ok() * start.open() / publisher.templates();
                long deadline = System.currentTimeMillis() + 1000L * intOption("drain-seconds", 5);
                SseConnections.Snapshot end;
                Histogram lat = new Histogram(SseConnections.MAX_MICROS, 3);
                do {
                    Thread.sleep(100);
                    end = fleet.snapshot();
                    lat.add(end.latency());
                } while (end.events() - start.events() < expected && System.currentTimeMillis() < deadline);
                long t1 = System.nanoTime();
                Cpu c1 = cpu(end);
                long delivered = end.events() - start.events();
                double seconds = Math.max(stepSeconds, (t1 - t0) / 1e9 - 0.1);
                long lost = Math.max(0, expected - delivered);
                long dropped = end.ended() - start.ended();
                Cpu used = c1.since(c0);
                Histogram calls = publisher.callLatency();
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %d | %d | %s | %s | %s | %s | %s | %s | %s |%n",
                        rates[step].trim(), pub.ok(), pub.skipped() + pub.failed(), delivered / seconds, lost, dropped,
                        ms(lat, 50), ms(lat, 99), ms(lat, 99.9), ms(lat, 100), ms(calls, 50), ms(calls, 99), used.cells());
                if (backToBack) {
                    String what = publisher.maxInFlight() + (publisher.maxInFlight() == 1 ? " publish" : " publishes")
                            + " in flight, back to back: ";
                    result(what + "publishes/s", pub.ok() / seconds, used, false);
                    result(what + "deliveries/s", delivered / seconds, used, false);
                    result(what + "lost", lost, used, false);
                    result(what + "p50 (ms)", millis(lat, 50), used, false);
                    result(what + "p99 (ms)", millis(lat, 99), used, false);
                    if (calls.getTotalCount() > 0) {
                        result(what + "publish call p50 (ms)", millis(calls, 50), used, false);
                        result(what + "publish call p99 (ms)", millis(calls, 99), used, false);
                    }
                    break;
                }
                String stop = null;
                if (lost > 0 || dropped > 0) {
                    stop = "events lost or connections dropped at this step";
                } else if (lat.getValueAtPercentile(99) > p99LimitMs * 1000) {
                    if (!retried) { // the machine is shared: a step is repeated once before it counts
                        retried = true;
                        step--;
                        continue;
                    }
                    stop = "p99 over " + limit + " at this step (twice in a row)";
                }
                if (stop != null) {
                    stopped = stop;
                    if (backToBackStep > step) {
                        step = backToBackStep - 1;
                        continue;
                    }
                    break;
                }
                retried = false;
                // the step counts: deliveries are what arrived, whatever the publisher managed
                System.out.printf(Locale.ROOT, "RESULT server=%s point=ramp rate=%s x=%.0f y=%.1f%n",
                        label, number(rate), delivered / seconds, millis(lat, 99));
                if (delivered / seconds > bestDeliveries) {
                    bestDeliveries = delivered / seconds;
                    bestP99 = millis(lat, 99);
                    bestCpu = used;
                }
                if (pub.skipped() > pub.sent() / 10) {
                    stopped = "the publisher could not keep the asked rate (too many publishes in flight)";
                    if (backToBackStep > step) {
                        step = backToBackStep - 1;
                        continue;
                    }
                    break;
                }
            }
            System.out.println();
            System.out.println("stopped: " + stopped);
            note("ramp stopped: " + stopped);
            if (bestCpu == null) {
                note("no ramp step kept p99 under " + limit + " with nothing lost");
            } else {
                result("deliveries/s, best step with p99 < " + limit + " and nothing lost", bestDeliveries, bestCpu, true);
                result("p99 at that step (ms)", bestP99, bestCpu, false);
            }
            fleet.closeAll();
        }
    }

    /** One single event's figures over the subscribers (ms); {@code reachedAll}: every subscriber got it in time. */
    private record Single(long delivered, boolean reachedAll, double p50, double p99, double toAll, double callMillis) {
    }

    /** Publishes one event, waits until every subscriber has it (or the time passes) and prints its row. */
    private Single single(Fleet fleet, Publisher publisher, int subscribers, String name) throws InterruptedException {
        long before = fleet.snapshot().events();
        long sent = System.nanoTime();
        publisher.publishOne(); // returns with the answers
        double callMillis = (System.nanoTime() - sent) / 1e6;
        long deadline = System.currentTimeMillis() + 1000L * intOption("single-seconds", 10);
        SseConnections.Snapshot after;
        Histogram h = new Histogram(SseConnections.MAX_MICROS, 3);
        do {
            Thread.sleep(20);
            after = fleet.snapshot();
            h.add(after.latency());
        } while (after.events() - before < subscribers && System.currentTimeMillis() < deadline);
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %.1f |%n", name, after.events() - before,
                ms(h, 0), ms(h, 50), ms(h, 99), ms(h, 100), callMillis);
        Thread.sleep(500);
        long delivered = after.events() - before;
        return new Single(delivered, delivered >= subscribers, millis(h, 50), millis(h, 99), millis(h, 100), callMillis);
    }

    private void idle() throws Exception {
        header("idle connections");
        if (serverPid <= 0) {
            throw new IllegalArgumentException("idle needs --server-pid");
        }
        boolean jvm = ProcessStats.isJvm(serverPid);
        List<Integer> counts = new ArrayList<>();
        for (String c : option("counts", "1000,10000,19000").split(",")) {
            counts.add(Integer.parseInt(c));
        }
        int max = counts.get(counts.size() - 1);
        long rss0 = ProcessStats.rssKib(serverPid);
        long heap0 = jvm ? ProcessStats.heapAfterGcKib(serverPid) : -1;
        System.out.println("| connections | server RSS (MiB) | RSS per conn (KiB) | heap after GC (MiB) | heap per conn (KiB) |");
        System.out.println("|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| 0 | %.1f | - | %s | - |%n", rss0 / 1024.0, jvm ? String.format(Locale.ROOT, "%.1f", heap0 / 1024.0) : "n/a");
        try (Fleet fleet = fleet(max)) {
            int opened = 0;
            for (int n : counts) {
                fleet.open(n - opened);
                opened = n;
                SseConnections.Snapshot s = awaitOpen(fleet, n, 180_000);
                if (options.containsKey("publish")) {
                    warm(fleet, n);
                }
                Thread.sleep(3000);
                long heap = jvm ? ProcessStats.heapAfterGcKib(serverPid) : -1;
                Thread.sleep(1000);
                long rss = ProcessStats.rssKib(serverPid);
                s = fleet.snapshot();
                System.out.printf(Locale.ROOT, "| %d%s | %.1f | %.1f | %s | %s |%n", s.open(),
                        s.open() < n ? " (of " + n + ")" : "", rss / 1024.0, (rss - rss0) / (double) s.open(),
                        jvm ? String.format(Locale.ROOT, "%.1f", heap / 1024.0) : "n/a",
                        jvm ? String.format(Locale.ROOT, "%.2f", (heap - heap0) / (double) s.open()) : "n/a");
                if (s.open() < n) {
                    note("only " + s.open() + " of " + n + " idle connections opened");
                    break;
                }
                result("RSS per conn at " + n + " (KiB)", (rss - rss0) / (double) s.open(), null, true);
                if (jvm && heap >= 0 && heap0 >= 0) {
                    result("heap per conn at " + n + " (KiB)", (heap - heap0) / (double) s.open(), null, false);
                }
            }
            fleet.closeAll();
        }
    }

    /**
     * With {@code --publish}: publishes {@code --idle-events} events (default 1) and waits until every
     * open connection has them, so that each connection's state is what a live stream holds (a
     * compressor is made at a stream's first write, and grows as it fills its window).
     */
    private void warm(Fleet fleet, int n) throws Exception {
        int events = intOption("idle-events", 1);
        try (Publisher publisher = publisher()) {
            long before = fleet.snapshot().events();
            for (int i = 0; i < events; i++) {
                publisher.publishOne();
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (fleet.snapshot().events() - before < (long) n * events && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long got = fleet.snapshot().events() - before;
            if (got < (long) n * events) {
                note("idle: only " + got + " of " + (long) n * events + " warming events arrived");
            }
        }
    }

    private void connect() throws Exception {
        header("connect rate");
        int n = intOption("connections", 5000);
        int rounds = intOption("rounds", 3);
        System.out.println("| round | connections | seconds | connects/s | p50 (ms) | p99 (ms) | max (ms) | failed | load tool CPU | server CPU | other CPU |" + redisHeader());
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + redisRule());
        Histogram all = new Histogram(SseConnections.MAX_MICROS, 3);
        long connected = 0;
        Cpu total = null;
        for (int round = 1; round <= rounds; round++) {
            try (Fleet fleet = fleet(n)) {
                SseConnections.Snapshot start = fleet.snapshot();
                Cpu c0 = cpu(start);
                fleet.open(n);
                SseConnections.Snapshot end;
                long deadline = System.currentTimeMillis() + 120_000;
                do {
                    Thread.sleep(5);
                    end = fleet.snapshot();
                    start.connect().add(end.connect());
                } while (end.open() + end.failed() < n && System.currentTimeMillis() < deadline);
                Cpu used = cpu(end).since(c0);
                double seconds = used.wallNanos() / 1e9;
                Histogram h = start.connect();
                System.out.printf(Locale.ROOT, "| %d | %d | %.2f | %.0f | %s | %s | %s | %d | %s |%n", round, end.open(),
                        seconds, end.open() / seconds, ms(h, 50), ms(h, 99), ms(h, 100), end.failed(), used.cells());
                all.add(h);
                connected += end.open();
                total = total == null ? used : total.plus(used);
                if (end.failed() > 0) {
                    note("round " + round + ": " + end.failed() + " connections failed");
                }
                fleet.closeAll();
                Thread.sleep(2000);
            }
        }
        result("connects/s (" + rounds + (rounds == 1 ? " round" : " rounds") + " of " + n + ")", connected / (total.wallNanos() / 1e9), total, true);
        result("connect to response head, p99 (ms)", millis(all, 99), total, false);
    }

    /**
     * One connection to {@code --url} with {@code ?count=N}: the server makes N small events itself,
     * as fast as the connection takes them. A warm-up stream first (not counted) lets the JIT settle.
     */
    private void stream() throws Exception {
        header("one stream, events made in the server");
        int count = intOption("count", 1_000_000);
        int warmup = intOption("warmup", count / 5);
        double limit = Double.parseDouble(option("seconds", "30"));
        System.out.println("| stream | events asked | received | seconds | events/s | MB/s | to first event (ms) | tool's reader thread busy | load tool CPU | server CPU | other CPU |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        if (warmup > 0) {
            readStream("warm-up", warmup, limit);
        }
        StreamRun run = readStream("measured", count, limit);
        System.out.println();
        if (run.received() < count) {
            note("received " + run.received() + " of " + count + " events within " + number(limit) + " s");
        }
        if (run.readerBusy() > 0.9) {
            String text = String.format(Locale.ROOT, "the load tool's reader thread was busy %.0f%% of the time: "
                    + "this rate may be the tool's limit, not the server's", 100 * run.readerBusy());
            System.out.println("**" + text + "**");
            note(text);
        }
        if (run.received() > 1) {
            result("events/s", run.eventsPerSecond(), run.cpu(), true);
            result("MB/s", run.megabytesPerSecond(), run.cpu(), false);
            result("time to first event (ms)", run.firstMillis(), null, false);
        }
    }

    private record StreamRun(long received, double eventsPerSecond, double megabytesPerSecond, double firstMillis,
                             double readerBusy, Cpu cpu) {
    }

    private StreamRun readStream(String name, int count, double limitSeconds) throws Exception {
        URI base = URI.create(option("url", null));
        URI url = URI.create(base + (base.getRawQuery() == null ? "?" : "&") + "count=" + count);
        try (SseConnections connection = new SseConnections(url, sources().subList(0, Math.min(1, sources().size())), 1)) {
            Cpu c0 = cpu(0);
            long reader0 = connection.readerCpuNanos();
            connection.open(1);
            long deadline = System.nanoTime() + (long) (limitSeconds * 1e9);
            for (int polls = 1; connection.eventCount() < count && System.nanoTime() < deadline; polls++) {
                if (polls % 50 == 0) { // a snapshot copies histograms: not every time
                    SseConnections.Snapshot s = connection.snapshot();
                    if (s.failed() > 0 || s.ended() > 0) {
                        break;
                    }
                }
                Thread.sleep(2);
            }
            Cpu used = cpu(0).since(c0);
            double readerBusy = (connection.readerCpuNanos() - reader0) / (double) used.wallNanos();
            long received = connection.eventCount();
            double window = (connection.lastEventNanos() - connection.firstEventNanos()) / 1e9;
            double eventsPerSecond = window > 0 ? (received - 1) / window : 0;
            double mbPerSecond = window > 0 ? connection.bytes() / window / 1e6 : 0;
            double firstMillis = connection.firstEventNanos() == 0 ? -1 : (connection.firstEventNanos() - c0.wallNanos()) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %.0f | %.1f | %.1f | %.0f%% | %s |%n", name, count, received,
                    window, eventsPerSecond, mbPerSecond, firstMillis, 100 * readerBusy, used.cells());
            return new StreamRun(received, eventsPerSecond, mbPerSecond, firstMillis, readerBusy, used);
        }
    }

    /** Each node's subscribers and what they received of the single events: every node should have them all. */
    private void perNode(SseConnections.Snapshot before, SseConnections.Snapshot after, int singles) {
        List<URI> urls = urls();
        System.out.println("| node | subscribe URL | subscribers open | single events received | per subscriber (of " + singles + ") |");
        System.out.println("|---:|---|---:|---:|---:|");
        for (int i = 0; i < urls.size(); i++) {
            long received = after.urlEvents()[i] - before.urlEvents()[i];
            long open = after.urlOpen()[i];
            System.out.printf(Locale.ROOT, "| %d | %s | %d | %d | %s |%n", i + 1, urls.get(i), open, received,
                    open == 0 ? "-" : String.format(Locale.ROOT, "%.2f", received / (double) open));
        }
        System.out.println();
    }

    // ---- worker process

    private static void worker(List<URI> urls, List<InetAddress> sources, long firstNumber, String acceptEncoding)
            throws Exception {
        try (SseConnections connections = new SseConnections(urls, sources, 256, firstNumber, acceptEncoding)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("open ")) {
                    connections.open(Integer.parseInt(line.substring(5)));
                } else if (line.equals("close")) {
                    connections.closeAll();
                } else if (line.equals("snap")) {
                    System.out.println(Fleet.encode(connections.snapshot().withCpuNanos(ProcessStats.ownCpuNanos())));
                    System.out.flush();
                } else if (line.equals("quit")) {
                    break;
                }
            }
        }
        System.exit(0);
    }
}
