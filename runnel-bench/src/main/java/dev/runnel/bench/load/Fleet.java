package dev.runnel.bench.load;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The load tool's connections, in this process or spread over worker processes (one process may
 * hold at most about 19k sockets within a 20,000-file limit). A worker is this same class path
 * started as {@code LoadTool worker URLS SOURCES FIRST} (URLS comma-separated: the nodes of a cluster;
 * FIRST: the number its first connection puts for a {@code {n}} in a URL);
 * it answers one line per command on stdin.
 */
sealed interface Fleet extends AutoCloseable {

    /** Connection numbers ({@code {n}} in a URL) each worker process has: worker i starts at i times this. */
    long WORKER_NUMBERS = 1_000_000;

    void open(int n);

    void closeAll();

    SseConnections.Snapshot snapshot();

    @Override
    void close();

    static Fleet local(URI url, List<InetAddress> sources) throws IOException {
        return local(List.of(url), sources);
    }

    /** Connections in this process, round-robin over {@code urls}. */
    static Fleet local(List<URI> urls, List<InetAddress> sources) throws IOException {
        return local(urls, sources, null);
    }

    /** As above, each connection asking for {@code acceptEncoding} and decoding it (null: no coding). */
    static Fleet local(List<URI> urls, List<InetAddress> sources, String acceptEncoding) throws IOException {
        return new Local(new SseConnections(urls, sources, 256, 0, acceptEncoding));
    }

    /** {@code processes} workers, each given an equal part of the connections asked for, each spreading them over {@code urls}. */
    static Fleet workers(List<URI> urls, List<InetAddress> sources, int processes, String acceptEncoding) throws IOException {
        List<Remote> remotes = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            // a {n} in a URL: each worker numbers its connections from a range of its own
            remotes.add(Remote.start(urls, sources, i * WORKER_NUMBERS, acceptEncoding));
        }
        return new Many(remotes);
    }

    record Local(SseConnections connections) implements Fleet {
        @Override
        public void open(int n) {
            connections.open(n);
        }

        @Override
        public void closeAll() {
            connections.closeAll();
        }

        @Override
        public SseConnections.Snapshot snapshot() {
            return connections.snapshot();
        }

        @Override
        public void close() {
            connections.close();
        }
    }

    record Many(List<Remote> remotes) implements Fleet {
        @Override
        public void open(int n) {
            for (int i = 0; i < remotes.size(); i++) {
                remotes.get(i).open(n / remotes.size() + (i < n % remotes.size() ? 1 : 0));
            }
        }

        @Override
        public void closeAll() {
            remotes.forEach(Remote::closeAll);
        }

        @Override
        public SseConnections.Snapshot snapshot() {
            SseConnections.Snapshot sum = null;
            for (Remote r : remotes) {
                SseConnections.Snapshot s = r.snapshot();
                sum = sum == null ? s : sum.plus(s);
            }
            return sum;
        }

        @Override
        public void close() {
            remotes.forEach(Remote::close);
        }
    }

    record Remote(Process process, PrintWriter in, BufferedReader out) implements Fleet {

        static Remote start(List<URI> urls, List<InetAddress> sources, long firstNumber, String acceptEncoding) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String src = sources.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(","));
            String to = urls.stream().map(URI::toString).collect(Collectors.joining(","));
            Process p = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    LoadTool.class.getName(), "worker", to, src.isEmpty() ? "-" : src, Long.toString(firstNumber),
                    acceptEncoding == null ? "-" : acceptEncoding)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new Remote(p, new PrintWriter(p.getOutputStream(), true, StandardCharsets.US_ASCII),
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)));
        }

        @Override
        public void open(int n) {
            in.println("open " + n);
        }

        @Override
        public void closeAll() {
            in.println("close");
        }

        @Override
        public SseConnections.Snapshot snapshot() {
            in.println("snap");
            try {
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException("load worker " + process.pid() + " ended");
                }
                return decode(line);
            } catch (IOException e) {
                throw new IllegalStateException("load worker " + process.pid() + ": " + e, e);
            }
        }

        @Override
        public void close() {
            in.println("quit");
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One line: events open failed ended cpuNanos latency connect urlEvents urlOpen (histograms
     * compressed, base64; the per-URL counters comma-separated).
     */
    static String encode(SseConnections.Snapshot s) {
        return "SNAP " + s.events() + " " + s.open() + " " + s.failed() + " " + s.ended() + " " + s.cpuNanos()
                + " " + encode(s.latency()) + " " + encode(s.connect()) + " " + csv(s.urlEvents()) + " " + csv(s.urlOpen());
    }

    private static String csv(long[] values) {
        return java.util.Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(","));
    }

    private static long[] longs(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    static SseConnections.Snapshot decode(String line) {
        String[] f = line.split(" ");
        if (!f[0].equals("SNAP")) {
            throw new IllegalStateException("unexpected worker line: " + line);
        }
        try {
            return new SseConnections.Snapshot(Long.parseLong(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]), histogram(f[6]), histogram(f[7]), longs(f[8]), longs(f[9]));
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException("bad histogram from worker", e);
        }
    }

    private static Histogram histogram(String b64) throws java.util.zip.DataFormatException {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(b64)), 0);
    }
}
