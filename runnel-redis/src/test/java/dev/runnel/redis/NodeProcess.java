package dev.runnel.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@link ClusterNode} in a child JVM, to kill with {@code SIGKILL} or stop with {@code SIGSTOP}. */
final class NodeProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private NodeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static NodeProcess start(URI redis) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ClusterNode.class.getName(), redis.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("PORT ")) {
            // whatever the JVM prints before
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IOException("the node's JVM ended its output before it listened");
        }
        return new NodeProcess(p, Integer.parseInt(line.substring(5).trim()));
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    long pid() {
        return process.pid();
    }

    /** {@code kill -9}: the node is gone at once, as in a crash; waits until it is. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** {@code kill -STOP} ({@code stop}) or {@code kill -CONT}. */
    void signal(boolean stop) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + (stop ? "-STOP" : "-CONT") + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal(false);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
