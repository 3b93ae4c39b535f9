package dev.runnel.bench.floor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor the load tool measures servers against: a bare Java NIO server that does the least an
 * SSE fan-out can. It answers {@code GET /sse/topic/{name}} with a {@code 200} and
 * {@code text/event-stream} headers and keeps the socket; on {@code POST /publish/{name}} with form
 * field {@code data} (as {@code RunnelBenchServer} takes it) it encodes the event once, as one HTTP
 * chunk, answers {@code 200}, and each of its writer threads (one per core by default) writes those
 * same bytes to every socket of the topic it holds. No hub, no history, no heartbeats, no queue
 * beyond the bytes a socket did not take yet ({@link FloorWriter}).
 *
 * <p>One thread accepts connections and reads requests; subscribers are dealt to the writers round
 * robin. The publish answer goes out once the event is handed to the writers, before they write.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.floor.FloorServer [PORT] [--writers N]
 * </pre>
 */
public final class FloorServer implements AutoCloseable {

    private static final String SUBSCRIBE = "/sse/topic/";
    private static final String PUBLISH = "/publish/";
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_BODY = 1024 * 1024;
    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final List<FloorWriter> writers = new ArrayList<>();
    private final AtomicInteger subscribers = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean running = true;
    private int nextWriter;

    private FloorServer(int port, int writerCount) throws IOException {
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 4096);
        listener.configureBlocking(false);
        selector = Selector.open();
        listener.register(selector, SelectionKey.OP_ACCEPT);
        for (int i = 0; i < writerCount; i++) {
            writers.add(new FloorWriter("floor-writer-" + i, subscribers));
        }
        acceptor = Thread.ofPlatform().name("floor-accept").start(this::run);
    }

    /** Starts a floor on {@code port} (0: any free one) with {@code writers} writer threads. */
    public static FloorServer start(int port, int writers) throws IOException {
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be at least 1, was " + writers);
        }
        return new FloorServer(port, writers);
    }

    public int port() {
        return listener.socket().getLocalPort();
    }

    /** Subscriptions the writers hold now. */
    public int subscribers() {
        return subscribers.get();
    }

    /** Waits until at least {@code n} subscriptions are held, or the time passes. */
    public void awaitSubscribers(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (subscribers.get() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    /** A connection's request bytes so far, and answers not yet written. */
    private static final class Conn {
        ByteBuffer in = ByteBuffer.allocate(1024);
        ByteBuffer out;
    }

    private void run() {
        while (running) {
            try {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (key.isAcceptable()) {
                            accept();
                        } else {
                            serve(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        // one connection's trouble (or a bad request) ends that connection only
                        key.cancel();
                        key.channel().close();
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    System.err.println("floor: accept loop: " + e);
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = listener.accept()) != null) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new Conn());
        }
    }

    private void serve(SelectionKey key) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Conn conn = (Conn) key.attachment();
        if (key.isWritable()) {
            channel.write(conn.out);
            if (!conn.out.hasRemaining()) {
                conn.out = null;
                key.interestOps(SelectionKey.OP_READ);
            }
        }
        if (!key.isValid() || !key.isReadable()) {
            return;
        }
        if (!conn.in.hasRemaining()) {
            if (conn.in.capacity() >= MAX_HEAD + MAX_BODY) {
                throw new IOException("request too large");
            }
            conn.in = ByteBuffer.allocate(conn.in.capacity() * 2).put(conn.in.flip());
        }
        if (channel.read(conn.in) < 0) {
            key.cancel();
            channel.close();
            return;
        }
        // requests may come back to back on one connection (the publisher keeps it open)
        while (key.isValid() && request(key, channel, conn)) {
            // next one
        }
    }

    /** Handles the first whole request in {@code conn.in}, if there is one; true when it did. */
    private boolean request(SelectionKey key, SocketChannel channel, Conn conn) throws IOException {
        byte[] bytes = conn.in.array();
        int length = conn.in.position();
        int headEnd = indexOf(bytes, length, "\r\n\r\n");
        if (headEnd < 0) {
            if (length > MAX_HEAD) {
                throw new IOException("request head over " + MAX_HEAD + " bytes");
            }
            return false;
        }
        String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] requestLine = head.substring(0, head.indexOf("\r\n") < 0 ? head.length() : head.indexOf("\r\n")).split(" ");
        if (requestLine.length != 3) {
            throw new IOException("bad request line");
        }
        int bodyLength = contentLength(head);
        if (bodyLength > MAX_BODY) {
            throw new IOException("body over " + MAX_BODY + " bytes");
        }
        int end = headEnd + 4 + bodyLength;
        if (length < end) {
            return false;
        }
        String method = requestLine[0];
        String path = requestLine[1];
        if (method.equals("GET") && path.startsWith(SUBSCRIBE) && path.length() > SUBSCRIBE.length()) {
            // from now on the socket is a writer's: this thread forgets it
            key.cancel();
            FloorWriter writer = writers.get(Math.floorMod(nextWriter++, writers.size()));
            writer.subscribe(channel, topic(path, SUBSCRIBE), HEAD);
            return false;
        }
        String answer;
        if (method.equals("POST") && path.startsWith(PUBLISH) && path.length() > PUBLISH.length()) {
            String data = formField(new String(bytes, headEnd + 4, bodyLength, StandardCharsets.US_ASCII), "data");
            if (data == null) {
                answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 30\r\n\r\nform field 'data' is required\n";
            } else {
                ByteBuffer event = ByteBuffer.wrap(chunk(data)).asReadOnlyBuffer();
                String topic = topic(path, PUBLISH);
                for (FloorWriter writer : writers) {
                    writer.publish(topic, event);
                }
                answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
            }
        } else {
            answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        }
        conn.in.flip().position(end);
        conn.in.compact();
        reply(key, channel, conn, answer.getBytes(StandardCharsets.US_ASCII));
        return true;
    }

    private static void reply(SelectionKey key, SocketChannel channel, Conn conn, byte[] answer) throws IOException {
        if (conn.out != null) {
            conn.out = ByteBuffer.allocate(conn.out.remaining() + answer.length).put(conn.out).put(answer).flip();
            return;
        }
        ByteBuffer out = ByteBuffer.wrap(answer);
        channel.write(out);
        if (out.hasRemaining()) {
            conn.out = out;
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private static String topic(String path, String prefix) {
        int query = path.indexOf('?');
        return path.substring(prefix.length(), query < 0 ? path.length() : query);
    }

    private static int contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                try {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length");
                }
            }
        }
        return 0;
    }

    private static String formField(String form, String name) {
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The event {@code data: ...} (one line per line of {@code data}) as one HTTP/1.1 chunk. */
    static byte[] chunk(String data) {
        StringBuilder event = new StringBuilder();
        for (String line : data.split("\r\n|\r|\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        byte[] payload = event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        byte[] size = (Integer.toHexString(payload.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer chunk = ByteBuffer.allocate(size.length + payload.length + 2);
        return chunk.put(size).put(payload).put((byte) '\r').put((byte) '\n').array();
    }

    private static int indexOf(byte[] bytes, int length, String what) {
        outer:
        for (int i = 0; i + what.length() <= length; i++) {
            for (int j = 0; j < what.length(); j++) {
                if (bytes[i + j] != what.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Stops accepting, closes every connection and waits for the threads. Idempotent. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        writers.forEach(FloorWriter::close);
    }

    public static void main(String[] args) throws Exception {
        int port = 8090;
        int writers = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--writers") && i + 1 < args.length) {
                writers = Integer.parseInt(args[++i]);
            } else if (args[i].matches("\\d+")) {
                port = Integer.parseInt(args[i]);
            } else {
                System.err.println("usage: FloorServer [PORT] [--writers N]; not understood: " + args[i]);
                System.exit(2);
            }
        }
        FloorServer server = start(port, writers);
        System.out.println("floor server on 127.0.0.1:" + server.port() + ", " + writers + " writers, pid "
                + ProcessHandle.current().pid());
        Thread.currentThread().join();
    }
}
