package dev.runnel.bench.load;

import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.EventStreamReader;
import dev.runnel.client.MessageEvent;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Many SSE connections on one selector thread: plain non-blocking sockets, each bound to one of
 * the given loopback source addresses, an HTTP/1.1 GET, the response's chunked framing undone here
 * and the body fed to the client's own {@link EventStreamReader}. Every event's data must start
 * with a publish timestamp in microseconds since the epoch ({@link Clock#micros()}); the
 * difference to the time of arrival is recorded. Costs about 1 KB per idle connection besides the
 * socket, so one process holds ~19k of them within a 20,000-file limit. Given several URLs (the
 * nodes of a cluster), connections go to them round-robin, and events and open connections are
 * also counted per URL. A {@code {n}} in a URL ({@link #url}) becomes the connection's number, so
 * each connection asks for a path of its own ({@code /sse/select/k{n}}: k0, k1, ...). Given an
 * {@code Accept-Encoding}, every request sends it, a response must answer with that coding (else the
 * connection counts as failed) and each connection decodes its body itself ({@link BodyDecoder}).
 */
final class SseConnections implements AutoCloseable {

    /** Highest latency recorded: one hour, in microseconds. */
    static final long MAX_MICROS = 3_600_000_000L;

    /** In a URL given to {@link #url}: the connection's number. */
    static final String NUMBER = "{n}";
    /** {@link #NUMBER} as it stands in a {@link URI}, which has no room for braces. */
    private static final String NUMBER_IN_URI = "%7Bn%7D";

    private final List<URI> urls;
    private final byte[][] requests;
    /** Per URL: the request's text when it holds {@link #NUMBER_IN_URI} (made per connection), else null. */
    private final String[] numberedRequests;
    private final List<InetAddress> sources;
    private final int maxConnecting;
    private final Selector selector;
    private final Thread loop;
    private final Recorder latency = new Recorder(MAX_MICROS, 3);
    private final Recorder connectLatency = new Recorder(MAX_MICROS, 3);
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long firstEventNanos;
    private volatile long lastEventNanos;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger connecting = new AtomicInteger();
    private final AtomicInteger wanted = new AtomicInteger();
    private final AtomicInteger closeRequests = new AtomicInteger();
    private final AtomicLongArray urlEvents;
    private final AtomicLongArray urlOpen;
    /** The coding every request asks for, or null: none asked, none expected. */
    private final String acceptEncoding;
    private final BodyDecoder.Scratch scratch = new BodyDecoder.Scratch();
    private final AtomicLong decodedBytes = new AtomicLong();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] chunk = new byte[64 * 1024];
    private int nextSource;
    private int nextUrl;
    private long nextNumber;
    private volatile boolean running = true;

    SseConnections(URI url, List<InetAddress> sources, int maxConnecting) throws IOException {
        this(List.of(url), sources, maxConnecting);
    }

    SseConnections(List<URI> urls, List<InetAddress> sources, int maxConnecting) throws IOException {
        this(urls, sources, maxConnecting, 0);
    }

    /** {@code firstNumber}: the number the first connection gives a {@code {n}} in its URL. */
    SseConnections(List<URI> urls, List<InetAddress> sources, int maxConnecting, long firstNumber) throws IOException {
        this(urls, sources, maxConnecting, firstNumber, null);
    }

    /** As above; {@code acceptEncoding}: the one coding to ask for and decode ({@code gzip}, {@code zstd}), or null. */
    SseConnections(List<URI> urls, List<InetAddress> sources, int maxConnecting, long firstNumber, String acceptEncoding)
            throws IOException {
        this.acceptEncoding = acceptEncoding == null || acceptEncoding.isBlank() || acceptEncoding.equals("identity")
                ? null : acceptEncoding.trim();
        this.urls = List.copyOf(urls);
        this.nextNumber = firstNumber;
        this.sources = sources;
        this.maxConnecting = maxConnecting;
        this.requests = new byte[urls.size()][];
        this.numberedRequests = new String[urls.size()];
        for (int i = 0; i < urls.size(); i++) {
            URI url = urls.get(i);
            String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port(url)
                    + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + (this.acceptEncoding == null ? "" : "Accept-Encoding: " + this.acceptEncoding + "\r\n") + "\r\n";
            requests[i] = request.getBytes(StandardCharsets.US_ASCII);
            numberedRequests[i] = path.contains(NUMBER_IN_URI) ? request : null;
        }
        this.urlEvents = new AtomicLongArray(urls.size());
        this.urlOpen = new AtomicLongArray(urls.size());
        this.selector = Selector.open();
        this.loop = Thread.ofPlatform().name("sse-connections").daemon().start(this::run);
    }

    /** {@code text} as a URI, with a {@link #NUMBER} in it kept for each connection to fill in. */
    static URI url(String text) {
        return URI.create(text.replace(NUMBER, NUMBER_IN_URI));
    }

    static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : ("https".equals(url.getScheme()) ? 443 : 80);
    }

    /** Asks for {@code n} more connections; they open in the background, a bounded number at once. */
    void open(int n) {
        wanted.addAndGet(n);
        selector.wakeup();
    }

    /** Closes every open connection (the client closes first); counters keep running. */
    void closeAll() {
        closeRequests.incrementAndGet();
        selector.wakeup();
    }

    long eventCount() {
        return events.get();
    }

    int openCount() {
        return open.get();
    }

    int pending() {
        return wanted.get() + connecting.get();
    }

    /** Bytes read from all connections since the start, response heads and chunk framing included. */
    long bytes() {
        return bytes.get();
    }

    /** Body bytes after decoding (and after undoing the chunked framing), all connections since the start. */
    long decodedBytes() {
        return decodedBytes.get();
    }

    /** {@link System#nanoTime()} when the first event arrived on any connection, or 0. */
    long firstEventNanos() {
        return firstEventNanos;
    }

    /** {@link System#nanoTime()} when the latest event arrived, or 0. */
    long lastEventNanos() {
        return lastEventNanos;
    }

    /** CPU time of the selector thread, in ns: near the wall time, the tool's one reading thread is the limit. */
    long readerCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(loop.threadId());
    }

    /** Counters since the start and the histograms since the last snapshot. */
    Snapshot snapshot() {
        long[] byUrlEvents = new long[urls.size()];
        long[] byUrlOpen = new long[urls.size()];
        for (int i = 0; i < byUrlEvents.length; i++) {
            byUrlEvents[i] = urlEvents.get(i);
            byUrlOpen[i] = urlOpen.get(i);
        }
        return new Snapshot(events.get(), open.get(), failed.get(), ended.get(), 0,
                latency.getIntervalHistogram(), connectLatency.getIntervalHistogram(), byUrlEvents, byUrlOpen);
    }

    private void run() {
        int seenCloseRequests = 0;
        while (running) {
            try {
                if (closeRequests.get() != seenCloseRequests) {
                    seenCloseRequests = closeRequests.get();
                    for (SelectionKey key : selector.keys()) {
                        if (((Conn) key.attachment()).phase != Phase.CONNECTING) {
                            close(key, false);
                        }
                    }
                }
                while (wanted.get() > 0 && connecting.get() < maxConnecting) {
                    wanted.decrementAndGet();
                    connect();
                }
                selector.select(100);
                var keys = selector.selectedKeys();
                for (SelectionKey key : keys) {
                    handle(key);
                }
                keys.clear();
            } catch (IOException e) {
                if (running) {
                    System.err.println("load: selector: " + e);
                }
            }
        }
    }

    private void connect() {
        SocketChannel ch = null;
        boolean counted = false;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (!sources.isEmpty()) {
                ch.bind(new InetSocketAddress(sources.get(nextSource++ % sources.size()), 0));
            }
            Conn conn = new Conn(ch, nextUrl++ % urls.size());
            connecting.incrementAndGet();
            counted = true;
            URI url = urls.get(conn.urlIndex);
            if (ch.connect(new InetSocketAddress(url.getHost(), port(url)))) {
                ch.register(selector, SelectionKey.OP_READ, conn);
                sendRequest(conn);
            } else {
                ch.register(selector, SelectionKey.OP_CONNECT, conn);
            }
        } catch (IOException e) {
            failed.incrementAndGet();
            if (counted) {
                connecting.decrementAndGet();
            }
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            noteFailure(e);
        }
    }

    private static final AtomicInteger FAILURES_PRINTED = new AtomicInteger();

    private static void noteFailure(Exception e) {
        if (FAILURES_PRINTED.incrementAndGet() <= 5) {
            System.err.println("load: connection failed: " + e);
        }
    }

    private void sendRequest(Conn conn) throws IOException {
        String numbered = numberedRequests[conn.urlIndex];
        ByteBuffer out = ByteBuffer.wrap(numbered == null ? requests[conn.urlIndex]
                : numbered.replace(NUMBER_IN_URI, Long.toString(nextNumber++)).getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            if (conn.channel.write(out) == 0) {
                throw new IOException("request did not fit the socket buffer");
            }
        }
        conn.phase = Phase.HEADERS;
    }

    private void handle(SelectionKey key) {
        Conn conn = (Conn) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isConnectable()) {
                conn.channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                sendRequest(conn);
                return;
            }
            if (key.isReadable()) {
                readBuffer.clear();
                int n = conn.channel.read(readBuffer);
                if (n < 0) {
                    close(key, true);
                    return;
                }
                bytes.addAndGet(n);
                readBuffer.flip();
                readBuffer.get(chunk, 0, n);
                conn.received(chunk, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            if (conn.phase != Phase.BODY) {
                failed.incrementAndGet();
                noteFailure(e);
            }
            close(key, true);
        }
    }

    private void close(SelectionKey key, boolean byServer) {
        Conn conn = (Conn) key.attachment();
        key.cancel();
        try {
            conn.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (conn.decoder != null) {
            conn.decoder.close();
            conn.decoder = null;
        }
        if (conn.phase == Phase.BODY) {
            open.decrementAndGet();
            urlOpen.decrementAndGet(conn.urlIndex);
            if (byServer) {
                ended.incrementAndGet();
            }
        } else if (conn.phase != Phase.CLOSED) {
            connecting.decrementAndGet();
        }
        conn.phase = Phase.CLOSED;
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // shutting down
            }
            BodyDecoder decoder = ((Conn) key.attachment()).decoder;
            if (decoder != null) {
                decoder.close();
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    private enum Phase { CONNECTING, HEADERS, BODY, CLOSED }

    private enum ChunkState { SIZE, DATA, DATA_END, DONE }

    /** One connection: response headers, then chunked (or plain) body into the parser. */
    private final class Conn implements EventStreamReader.Listener {
        final SocketChannel channel;
        final int urlIndex;
        /** The body's decoder (null: identity), set from the response's Content-Encoding. */
        BodyDecoder decoder;
        private final BodyDecoder.Sink toReader = this::decoded;
        final long startNanos = System.nanoTime();
        Phase phase = Phase.CONNECTING;
        byte[] head = new byte[512];
        int headLength;
        boolean chunked;
        ChunkState chunkState = ChunkState.SIZE;
        long chunkLeft;
        boolean sizeDone;
        final EventStreamReader reader = new EventStreamReader(this,
                EventSourceOptions.DEFAULTS.withMaxLineSize(64 * 1024).withMaxEventSize(1024 * 1024));

        Conn(SocketChannel channel, int urlIndex) {
            this.channel = channel;
            this.urlIndex = urlIndex;
        }

        void received(byte[] buf, int off, int len) throws IOException {
            if (phase == Phase.HEADERS) {
                int bodyAt = headers(buf, off, len);
                if (bodyAt < 0) {
                    return;
                }
                len -= bodyAt - off;
                off = bodyAt;
            }
            if (chunked) {
                dechunk(buf, off, len);
            } else if (len > 0) {
                body(buf, off, len);
            }
        }

        private void decoded(byte[] buf, int off, int len) throws IOException {
            decodedBytes.addAndGet(len);
            reader.feed(buf, off, len);
        }

        private void body(byte[] buf, int off, int len) throws IOException {
            if (decoder == null) {
                toReader.accept(buf, off, len);
            } else {
                decoder.feed(buf, off, len, toReader);
            }
        }

        /** Collects the response head; returns where the body starts in buf, or -1. */
        private int headers(byte[] buf, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                if (headLength == head.length) {
                    if (head.length >= 16 * 1024) {
                        throw new IOException("response head over 16 KB");
                    }
                    head = java.util.Arrays.copyOf(head, head.length * 2);
                }
                head[headLength++] = buf[i];
                if (headLength >= 4 && head[headLength - 1] == '\n' && head[headLength - 2] == '\r'
                        && head[headLength - 3] == '\n' && head[headLength - 4] == '\r') {
                    String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
                    head = null;
                    if (!text.startsWith("HTTP/1.1 200") && !text.startsWith("HTTP/1.0 200")) {
                        throw new IOException("status: " + text.lines().findFirst().orElse(""));
                    }
                    String lower = text.toLowerCase(Locale.ROOT);
                    chunked = lower.contains("\ntransfer-encoding: chunked");
                    String coding = header(lower, "content-encoding");
                    if (acceptEncoding != null && !acceptEncoding.equalsIgnoreCase(coding == null ? "" : coding)) {
                        throw new IOException("asked for Accept-Encoding " + acceptEncoding + ", answered with "
                                + (coding == null ? "no Content-Encoding" : coding));
                    }
                    decoder = BodyDecoder.of(coding, scratch);
                    phase = Phase.BODY;
                    connecting.decrementAndGet();
                    open.incrementAndGet();
                    urlOpen.incrementAndGet(urlIndex);
                    connectLatency.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - startNanos) / 1000));
                    return i + 1;
                }
            }
            return -1;
        }

        /** A header's value from a lower-cased response head, or null. */
        private static String header(String head, String name) {
            int at = head.indexOf("\n" + name + ":");
            if (at < 0) {
                return null;
            }
            int end = head.indexOf('\r', at + 1);
            return head.substring(at + name.length() + 2, end < 0 ? head.length() : end).trim();
        }

        private void dechunk(byte[] buf, int off, int len) throws IOException {
            int i = off;
            int end = off + len;
            while (i < end) {
                switch (chunkState) {
                    case SIZE -> {
                        byte b = buf[i++];
                        if (b == '\n') {
                            chunkState = chunkLeft == 0 ? ChunkState.DONE : ChunkState.DATA;
                            sizeDone = false;
                        } else if (b == ';' || b == '\r' || b == ' ') {
                            sizeDone = true;
                        } else if (!sizeDone) {
                            int digit = Character.digit(b, 16);
                            if (digit < 0) {
                                throw new IOException("bad chunk size byte " + b);
                            }
                            chunkLeft = chunkLeft * 16 + digit;
                        }
                    }
                    case DATA -> {
                        int n = (int) Math.min(chunkLeft, end - i);
                        body(buf, i, n);
                        i += n;
                        chunkLeft -= n;
                        if (chunkLeft == 0) {
                            chunkState = ChunkState.DATA_END;
                        }
                    }
                    case DATA_END -> {
                        if (buf[i++] == '\n') {
                            chunkState = ChunkState.SIZE;
                        }
                    }
                    case DONE -> i = end;
                }
            }
        }

        @Override
        public void onEvent(MessageEvent event) {
            long now = System.nanoTime();
            if (firstEventNanos == 0) {
                firstEventNanos = now;
            }
            lastEventNanos = now;
            events.incrementAndGet();
            urlEvents.incrementAndGet(urlIndex);
            long sent = Clock.leadingMicros(event.data());
            if (sent > 0) {
                latency.recordValue(Math.max(0, Math.min(MAX_MICROS, Clock.micros() - sent)));
            }
        }

        @Override
        public void onComment(String comment) {
            // heartbeats
        }

        @Override
        public void onRetry(long millis) {
            // no reconnects here: a dropped connection is counted instead
        }
    }

    /**
     * What a set of connections saw; histograms are in microseconds. {@code urlEvents} and
     * {@code urlOpen} split events and open connections by URL, in the order the URLs were given.
     */
    record Snapshot(long events, int open, long failed, long ended, long cpuNanos, Histogram latency, Histogram connect,
                    long[] urlEvents, long[] urlOpen) {

        Snapshot plus(Snapshot o) {
            Histogram l = latency.copy();
            l.add(o.latency);
            Histogram c = connect.copy();
            c.add(o.connect);
            return new Snapshot(events + o.events, open + o.open, failed + o.failed, ended + o.ended,
                    cpuNanos + o.cpuNanos, l, c, sum(urlEvents, o.urlEvents), sum(urlOpen, o.urlOpen));
        }

        /** The same counters with this process's CPU time, as a worker reports them. */
        Snapshot withCpuNanos(long nanos) {
            return new Snapshot(events, open, failed, ended, nanos, latency, connect, urlEvents, urlOpen);
        }

        private static long[] sum(long[] a, long[] b) {
            long[] out = java.util.Arrays.copyOf(a, Math.max(a.length, b.length));
            for (int i = 0; i < b.length; i++) {
                out[i] += b[i];
            }
            return out;
        }
    }
}
