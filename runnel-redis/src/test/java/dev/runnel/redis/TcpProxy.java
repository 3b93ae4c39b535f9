package dev.runnel.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP proxy in front of a test's Redis, to break one node's connections at chosen
 * moments: refuse new connections, cut the open ones, or let one request through and cut its
 * connection when the reply comes back, so Redis did the work and the client never hears of it.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private volatile int upstreamPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean refusing;
    /** Bytes that, sent by a client, arm the cut of that connection's next reply; {@code null} when not armed. */
    private final AtomicReference<byte[]> cutMarker = new AtomicReference<>();
    private final CountDownLatch replyCut = new CountDownLatch(1);
    private volatile byte[] droppedReply;

    private TcpProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("test-proxy-" + server.getLocalPort()).start(this::accept);
    }

    /** A proxy on a free loopback port that forwards to {@code 127.0.0.1:upstreamPort}. */
    static TcpProxy to(int upstreamPort) throws IOException {
        return new TcpProxy(upstreamPort);
    }

    /** {@code redis://127.0.0.1:PORT} of the proxy. */
    URI uri() {
        return URI.create("redis://127.0.0.1:" + server.getLocalPort());
    }

    /** New connections go to {@code 127.0.0.1:port} from now on (a failover); open ones stay where they are. */
    void retarget(int port) {
        upstreamPort = port;
    }

    /** While true, a new connection is closed as soon as it is accepted. */
    void refuse(boolean refuse) {
        refusing = refuse;
    }

    /** Closes every open connection, both sides. */
    void cutAll() {
        links.forEach(Link::close);
    }

    /**
     * Arms a one-time cut: the first request that contains {@code marker} is forwarded, and when
     * Redis's next bytes come back on that connection, they are dropped and the connection closed.
     */
    void cutTheReplyToTheRequestContaining(String marker) {
        cutMarker.set(marker.getBytes(StandardCharsets.UTF_8));
    }

    /** The reply that was dropped, once the armed cut happened; {@code null} if it did not within {@code wait}. */
    String awaitDroppedReply(Duration wait) throws InterruptedException {
        return replyCut.await(wait.toMillis(), TimeUnit.MILLISECONDS)
                ? new String(droppedReply, StandardCharsets.UTF_8) : null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutAll();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 1000);
                Link link = new Link(client, upstream);
                links.add(link);
                Thread.ofPlatform().daemon().start(link::forwardRequests);
                Thread.ofPlatform().daemon().start(link::forwardReplies);
            } catch (IOException upstreamDown) {
                closeQuietly(client);
            }
        }
    }

    /** One client connection and its connection to Redis. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        /** Armed by a request with the marker: the next reply is dropped and the link cut. */
        volatile boolean cutNextReply;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void forwardRequests() {
            byte[] buffer = new byte[64 * 1024];
            byte[] carried = new byte[0]; // the end of the previous read, for a marker split across reads
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    byte[] marker = cutMarker.get();
                    if (marker != null) {
                        byte[] seen = concat(carried, buffer, n);
                        if (indexOf(seen, marker) >= 0 && cutMarker.compareAndSet(marker, null)) {
                            cutNextReply = true; // before forwarding: the reply may come back at once
                        }
                        carried = Arrays.copyOfRange(seen, Math.max(0, seen.length - marker.length), seen.length);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ended) {
                // either side closed
            } finally {
                close();
            }
        }

        void forwardReplies() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (cutNextReply) {
                        droppedReply = Arrays.copyOf(buffer, n);
                        close();
                        replyCut.countDown();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ended) {
                // either side closed
            } finally {
                close();
            }
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static byte[] concat(byte[] head, byte[] buffer, int n) {
        byte[] out = Arrays.copyOf(head, head.length + n);
        System.arraycopy(buffer, 0, out, head.length, n);
        return out;
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

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
