package dev.runnel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that breaks the path between two parts on a test's command: in front of
 * Redis for a node, or in front of a node for its clients. Each accepted connection is a link to the
 * upstream address, forwarded both ways by two virtual threads; on command the proxy can
 * <ul>
 *   <li>{@link #refuse} new connections (accepted, then closed at once), or {@link #blackhole} them
 *       (accepted and never answered: nothing is forwarded, nothing closed);</li>
 *   <li>{@link #delay} every chunk, or {@link #throttle} to a byte rate, in both directions;</li>
 *   <li>{@link #stall} every link (nothing is read or forwarded until released: the peers' buffers fill);</li>
 *   <li>{@link #cutAll} links (both directions closed), {@link #cut} one direction only (the receiver
 *       sees the end of the stream, the other direction goes on), or {@link #resetAll} (a TCP reset);</li>
 *   <li>{@link #retarget} new links to another upstream port (a failover);</li>
 *   <li>{@link #dropTheReplyTo} one request: it reaches the upstream, which does the work, and the link
 *       is cut when the reply comes back, so the client never hears of it.</li>
 * </ul>
 * Thread-safe; {@link #close()} cuts every link and stops accepting.
 */
public final class FaultProxy implements AutoCloseable {

    /** Which way bytes go on a link. */
    public enum Direction {
        /** From the client that connected to the proxy, to the upstream. */
        TO_UPSTREAM,
        /** From the upstream back to the client. */
        TO_CLIENT
    }

    private static final int CHUNK = 16 * 1024;

    private final ServerSocket server;
    private final String upstreamHost;
    private volatile int upstreamPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean refusing;
    private volatile boolean blackholing;
    private volatile boolean stalled;
    private volatile long delayNanos;
    private volatile long bytesPerSecond;
    private final AtomicLong toUpstream = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    /** Bytes that, sent by a client, arm the drop of that link's next reply; {@code null} when not armed. */
    private final AtomicReference<byte[]> dropMarker = new AtomicReference<>();
    private final CountDownLatch replyDropped = new CountDownLatch(1);
    private volatile byte[] droppedReply;
    private volatile boolean closed;

    private FaultProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().name("fault-proxy-" + server.getLocalPort()).start(this::accept);
    }

    /** A proxy on a free loopback port that forwards to {@code 127.0.0.1:upstreamPort}. */
    public static FaultProxy to(int upstreamPort) throws IOException {
        return new FaultProxy("127.0.0.1", upstreamPort);
    }

    /** A proxy on a free loopback port that forwards to {@code host:port}. */
    public static FaultProxy to(String host, int port) throws IOException {
        return new FaultProxy(host, port);
    }

    /** The proxy's own port, on loopback. */
    public int port() {
        return server.getLocalPort();
    }

    /** New links go to {@code port} from now on; open ones stay where they are. */
    public void retarget(int port) {
        upstreamPort = port;
    }

    /** While true, a new connection is closed as soon as it is accepted. */
    public void refuse(boolean on) {
        refusing = on;
    }

    /** While true, a new connection is accepted and then neither forwarded nor closed (until this is turned off, or {@link #cutAll}). */
    public void blackhole(boolean on) {
        blackholing = on;
    }

    /** While true, no link reads or forwards anything; bytes already read wait, then go on in order. */
    public void stall(boolean on) {
        stalled = on;
    }

    /** Each chunk waits this long before it is forwarded, both ways ({@link Duration#ZERO}: none). */
    public void delay(Duration perChunk) {
        delayNanos = perChunk.toNanos();
    }

    /** At most this many bytes a second per link and direction ({@code 0}: no limit). */
    public void throttle(long bytesPerSecondPerDirection) {
        bytesPerSecond = Math.max(0, bytesPerSecondPerDirection);
    }

    /** Closes both directions of every open link. */
    public void cutAll() {
        for (Link link : links) {
            link.close(false);
        }
    }

    /** Ends one direction of every open link: its receiver reads the end of the stream; the other direction goes on. */
    public void cut(Direction direction) {
        for (Link link : links) {
            link.cut(direction);
        }
    }

    /** Resets every open link: both peers get a TCP reset instead of an orderly close. */
    public void resetAll() {
        for (Link link : links) {
            link.close(true);
        }
    }

    /**
     * Arms a one-time drop: the first request (bytes toward the upstream) that contains {@code marker}
     * is forwarded, and the next bytes the upstream sends back on that link are dropped and the link is
     * closed, as a connection that breaks after the upstream did the work and before its reply arrives.
     */
    public void dropTheReplyTo(String marker) {
        dropMarker.set(marker.getBytes(StandardCharsets.UTF_8));
    }

    /** The reply {@link #dropTheReplyTo} dropped, once it did; {@code null} if it did not within {@code wait}. */
    public String awaitDroppedReply(Duration wait) throws InterruptedException {
        return replyDropped.await(wait.toMillis(), TimeUnit.MILLISECONDS) ? new String(droppedReply, StandardCharsets.UTF_8) : null;
    }

    /** Links open now. */
    public int openLinks() {
        return links.size();
    }

    /** Bytes forwarded so far in {@code direction}, all links together. */
    public long bytes(Direction direction) {
        return direction == Direction.TO_UPSTREAM ? toUpstream.get() : toClient.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
        cutAll();
        acceptor.interrupt();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Link link = new Link(client);
            links.add(link);
            if (closed) {
                link.close(false);
                continue;
            }
            Thread.ofVirtual().name("fault-proxy-link").start(link::open);
        }
    }

    /** One client connection and its upstream connection. */
    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean done;
        /** Armed by a request holding the drop marker: the next reply is dropped and the link closed. */
        private volatile boolean dropNextReply;

        Link(Socket client) {
            this.client = client;
        }

        void open() {
            try {
                while (blackholing && !done) {
                    LockSupport.parkNanos(5_000_000);
                }
                if (done) {
                    return;
                }
                Socket up = new Socket();
                up.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5000);
                upstream = up;
                if (done) {
                    closeQuietly(up);
                    return;
                }
                Thread.ofVirtual().name("fault-proxy-up").start(() -> pump(client, up, Direction.TO_UPSTREAM));
                pump(up, client, Direction.TO_CLIENT);
            } catch (IOException e) {
                close(false);
            }
        }

        private void pump(Socket from, Socket to, Direction direction) {
            AtomicLong counter = direction == Direction.TO_UPSTREAM ? toUpstream : toClient;
            byte[] buffer = new byte[CHUNK];
            byte[] carried = new byte[0]; // the end of the previous request bytes, for a marker split across reads
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (!done) {
                    waitWhileStalled();
                    int n = in.read(buffer);
                    if (n < 0) {
                        to.shutdownOutput(); // pass the end of the stream on, as TCP would
                        return;
                    }
                    if (direction == Direction.TO_CLIENT && dropNextReply) {
                        droppedReply = Arrays.copyOf(buffer, n);
                        close(false);
                        replyDropped.countDown();
                        return;
                    }
                    byte[] marker = direction == Direction.TO_UPSTREAM ? dropMarker.get() : null;
                    if (marker != null) {
                        byte[] seen = Arrays.copyOf(carried, carried.length + n);
                        System.arraycopy(buffer, 0, seen, carried.length, n);
                        if (indexOf(seen, marker) >= 0 && dropMarker.compareAndSet(marker, null)) {
                            dropNextReply = true; // before forwarding: the reply may come back at once
                        }
                        carried = Arrays.copyOfRange(seen, Math.max(0, seen.length - marker.length), seen.length);
                    }
                    waitWhileStalled();
                    long delay = delayNanos;
                    if (delay > 0) {
                        LockSupport.parkNanos(delay);
                    }
                    write(out, buffer, n);
                    counter.addAndGet(n);
                }
            } catch (IOException e) {
                close(false);
            }
        }

        private void write(OutputStream out, byte[] buffer, int n) throws IOException {
            long rate = bytesPerSecond;
            if (rate <= 0) {
                out.write(buffer, 0, n);
                out.flush();
                return;
            }
            int slice = (int) Math.max(1, Math.min(n, rate / 10)); // ten slices a second at most
            for (int at = 0; at < n; at += slice) {
                int len = Math.min(slice, n - at);
                out.write(buffer, at, len);
                out.flush();
                LockSupport.parkNanos(len * 1_000_000_000L / rate);
            }
        }

        private void waitWhileStalled() {
            while (stalled && !done) {
                LockSupport.parkNanos(2_000_000);
            }
        }

        void cut(Direction direction) {
            Socket up = upstream;
            try {
                if (direction == Direction.TO_CLIENT) {
                    client.shutdownOutput();
                    if (up != null) {
                        up.shutdownInput();
                    }
                } else {
                    client.shutdownInput();
                    if (up != null) {
                        up.shutdownOutput();
                    }
                }
            } catch (IOException e) {
                close(false);
            }
        }

        void close(boolean reset) {
            done = true;
            links.remove(this);
            for (Socket s : new Socket[] {client, upstream}) {
                if (s == null) {
                    continue;
                }
                if (reset) {
                    try {
                        s.setSoLinger(true, 0); // a close with SO_LINGER 0 sends RST
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
                closeQuietly(s);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }
}
