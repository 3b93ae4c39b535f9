package dev.runnel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} of its own for a test: Debian's binary, on a free loopback port, with its
 * data in a temporary directory; {@link #kill()} and {@link #start()} again (same port, same data)
 * to test an outage. With append-only persistence every write is on disk before Redis answers, so a
 * killed and restarted server has lost nothing.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start(true)) {
 *     ... RedisHubLog.connect(redis.uri()) ...
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {

    /** Where Debian's package {@code redis-server} puts the binary. */
    public static final Path BINARY = Path.of("/usr/bin/redis-server");
    private static final Duration STARTUP = Duration.ofSeconds(15);

    private final int port;
    private final boolean appendOnly;
    private final Path dir;
    private Process process;

    private RedisServer(int port, boolean appendOnly, Path dir) {
        this.port = port;
        this.appendOnly = appendOnly;
        this.dir = dir;
    }

    /**
     * Starts a server and waits until it answers {@code PING}.
     *
     * @param appendOnly persist every write to an append-only file before answering it
     *     ({@code appendfsync always}), so a restart keeps everything
     * @throws IllegalStateException when {@code /usr/bin/redis-server} is missing (saying which
     *     package to install) or the server does not come up
     */
    public static RedisServer start(boolean appendOnly) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("these tests run a real Redis, and " + BINARY + " is missing: "
                    + "install the Debian package redis-server (apt-get install redis-server)");
        }
        RedisServer server = new RedisServer(freePort(), appendOnly, Files.createTempDirectory("runnel-redis-"));
        server.start();
        return server;
    }

    /** Starts the server again after {@link #kill()}, on the same port and with the same data. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is already running");
        }
        List<String> command = new ArrayList<>(List.of(BINARY.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
                "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(),
                "--save", "", "--daemonize", "no"));
        if (appendOnly) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.out").toFile()).start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "redis-server-" + port + "-cleanup"));
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!answersPing()) {
            if (!started.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited with " + started.exitValue() + ": " + log());
            }
            if (System.nanoTime() > deadline) {
                started.destroyForcibly();
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING within " + STARTUP.toSeconds() + " s: " + log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting redis-server", e);
            }
        }
    }

    /** Kills the server at once ({@code SIGKILL}), as a crash would, and waits until it is gone. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the server with {@code SHUTDOWN NOSAVE}, as an operator would before putting an older
     * {@code dump.rdb} in {@link #dataDir()}, and waits until it is gone; {@link #start()} then loads
     * whatever that directory holds.
     */
    public void shutdownWithoutSaving() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("SHUTDOWN NOSAVE\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().read(); // the server closes the connection as it exits
        } catch (IOException closedWhileExiting) {
            // an exiting server may reset the connection instead
        }
        try {
            if (process != null && !process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not exit after SHUTDOWN NOSAVE: " + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for redis-server to exit", e);
        }
    }

    /** The server's data directory: {@code dump.rdb} (written by {@code SAVE}) and the append-only files. */
    public Path dataDir() {
        return dir;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** The running server's process id, to stop it with {@code SIGSTOP} (a Redis that hangs without closing its connections). */
    public long pid() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        return process.pid();
    }

    /** True while the server answers {@code PING}. */
    public boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, reply.length);
            return new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the server and deletes its data. */
    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String log() {
        try {
            Path out = dir.resolve("redis.log");
            Path fallback = dir.resolve("redis.out");
            Path which = Files.exists(out) && Files.size(out) > 0 ? out : fallback;
            String text = Files.exists(which) ? Files.readString(which) : "";
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
