package dev.runnel.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client on a plain socket, for tests that need what higher-level
 * clients hide: the exact response headers, the raw body bytes as they arrive, and control over how
 * the connection ends (FIN with {@link #close()}, RST with {@link #reset()}). Decodes chunked bodies.
 * Not thread-safe.
 */
public final class RawSseClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, List<String>> headers;
    private final boolean chunked;
    private final long contentLength;
    private final StringBuilder body = new StringBuilder();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    /** The start of a UTF-8 character whose other bytes have not arrived yet. */
    private final ByteArrayOutputStream partialChar = new ByteArrayOutputStream();
    private final java.util.List<WireEvents.Event> parsed = new java.util.ArrayList<>();
    private int parsedUpTo;
    private long chunkLeft = -1;
    private long bodyRead;
    private boolean ended;

    private RawSseClient(Socket socket, int status, Map<String, List<String>> headers) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.status = status;
        this.headers = headers;
        this.chunked = header("transfer-encoding").toLowerCase(Locale.ROOT).contains("chunked");
        String length = header("content-length");
        this.contentLength = length.isEmpty() ? -1 : Long.parseLong(length.trim());
    }

    /** Sends {@code GET uri} with {@code Accept: text/event-stream} and the given headers, and reads the response head. */
    public static RawSseClient get(URI uri, Map<String, String> extraHeaders) throws IOException {
        return request("GET", uri, extraHeaders, Duration.ofSeconds(10));
    }

    /** {@link #get(URI, Map)} with no extra headers. */
    public static RawSseClient get(URI uri) throws IOException {
        return get(uri, Map.of());
    }

    /** {@link #get(URI, Map)} from the local address {@code from} (on loopback, any 127.x.y.z: another client address). */
    public static RawSseClient get(URI uri, Map<String, String> extraHeaders, java.net.InetAddress from) throws IOException {
        return request("GET", uri, extraHeaders, Duration.ofSeconds(10), from);
    }

    /** Sends a request and reads the response head, waiting at most {@code headTimeout} for it. */
    public static RawSseClient request(String method, URI uri, Map<String, String> extraHeaders, Duration headTimeout) throws IOException {
        return request(method, uri, extraHeaders, headTimeout, null);
    }

    private static RawSseClient request(String method, URI uri, Map<String, String> extraHeaders, Duration headTimeout,
                                        java.net.InetAddress from) throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        socket.setSoTimeout((int) headTimeout.toMillis());
        StringBuilder req = new StringBuilder();
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        req.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        req.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Accept", "text/event-stream");
        all.putAll(extraHeaders);
        all.forEach((k, v) -> {
            if (v != null) {
                req.append(k).append(": ").append(v).append("\r\n");
            }
        });
        req.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            socket.close();
            throw new IOException("no HTTP response, got: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return new RawSseClient(socket, status, headers);
    }

    public int status() {
        return status;
    }

    /** All headers, names in lower case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of a header (name in any case), or {@code ""}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    /** Body text received so far. */
    public String text() {
        return body.toString();
    }

    /**
     * Reads until the body received so far contains {@code needle}, and returns all of it.
     *
     * @throws AssertionError when the body ends or {@code timeout} passes first, with what arrived
     */
    public String awaitText(String needle, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (body.indexOf(needle) < 0) {
            if (ended) {
                throw new AssertionError("stream ended without \"" + needle + "\"; received:\n" + body);
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || !readSome(left)) {
                if (body.indexOf(needle) >= 0) {
                    break;
                }
                if (!ended) {
                    throw new AssertionError("no \"" + needle + "\" within " + timeout.toMillis() + " ms; received:\n" + body);
                }
            }
        }
        return body.toString();
    }

    /**
     * Reads until the body received so far contains {@code needle} at least {@code times} times (a
     * heartbeat comment, say), and returns all of it.
     *
     * @throws AssertionError when the body ends or {@code timeout} passes first, with what arrived
     */
    public String awaitOccurrences(String needle, int times, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (occurrences(needle) < times) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (ended || left <= 0) {
                throw new AssertionError("\"" + needle + "\" " + occurrences(needle) + " of " + times + " times"
                        + (ended ? " before the stream ended" : " within " + timeout.toMillis() + " ms")
                        + "; last part received:\n" + tail(body));
            }
            readSome(left);
        }
        return body.toString();
    }

    /** How often {@code needle} occurs in the body received so far. */
    public int occurrences(String needle) {
        int count = 0;
        for (int at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + needle.length())) {
            count++;
        }
        return count;
    }

    /**
     * Reads until at least {@code count} complete events arrived, and returns them.
     *
     * @throws AssertionError when the body ends or {@code timeout} passes first
     */
    public java.util.List<WireEvents.Event> awaitEvents(int count, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        parseNew();
        while (parsed.size() < count) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (ended || left <= 0) {
                throw new AssertionError("got " + parsed.size() + " of " + count + " events"
                        + (ended ? " before the stream ended" : " within " + timeout.toMillis() + " ms")
                        + "; last part received:\n" + tail(body));
            }
            if (readSome(left)) {
                parseNew();
            }
        }
        return java.util.List.copyOf(parsed);
    }

    /** Parses the complete event blocks received since the last call (so reading stays linear). */
    private void parseNew() {
        int end = body.lastIndexOf("\n\n");
        if (end >= 0 && end + 2 > parsedUpTo) {
            parsed.addAll(WireEvents.parse(body.substring(parsedUpTo, end + 2)));
            parsedUpTo = end + 2;
        }
    }

    private static String tail(CharSequence text) {
        return text.length() > 2000 ? "..." + text.subSequence(text.length() - 2000, text.length()) : text.toString();
    }

    /** Reads until the response ends, and returns the whole body. */
    public String readToEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || (!readSome(left) && !ended)) {
                throw new AssertionError("response did not end within " + timeout.toMillis() + " ms; received:\n" + body);
            }
        }
        return body.toString();
    }

    /** True once the response body ended (last chunk, full length, or connection closed). */
    public boolean ended() {
        return ended;
    }

    /** Reads what arrives within {@code millis}; false on timeout. */
    private boolean readSome(long millis) throws IOException {
        socket.setSoTimeout((int) Math.max(1, millis));
        byte[] buf = new byte[8192];
        int n;
        try {
            n = in.read(buf);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            ended = true;
            return true;
        }
        if (n < 0) {
            ended = true;
            return true;
        }
        pending.write(buf, 0, n);
        decode();
        return true;
    }

    private void decode() {
        byte[] data = pending.toByteArray();
        int p = 0;
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        if (!chunked) {
            decoded.write(data, 0, data.length);
            p = data.length;
            bodyRead += data.length;
            if (contentLength >= 0 && bodyRead >= contentLength) {
                ended = true;
            }
        } else {
            while (p < data.length && !ended) {
                if (chunkLeft <= 0) {
                    int lineEnd = indexOfCrlf(data, p);
                    if (lineEnd < 0) {
                        break;
                    }
                    String line = new String(data, p, lineEnd - p, StandardCharsets.US_ASCII).trim();
                    if (chunkLeft == 0) {
                        // the CRLF after a chunk's data
                        p = lineEnd + 2;
                        chunkLeft = -1;
                        continue;
                    }
                    if (line.isEmpty()) {
                        p = lineEnd + 2;
                        continue;
                    }
                    long size = Long.parseLong(line.split(";")[0], 16);
                    p = lineEnd + 2;
                    if (size == 0) {
                        ended = true;
                        break;
                    }
                    chunkLeft = size;
                } else {
                    int take = (int) Math.min(chunkLeft, data.length - p);
                    decoded.write(data, p, take);
                    p += take;
                    chunkLeft -= take;
                }
            }
        }
        pending.reset();
        pending.write(data, p, data.length - p);
        partialChar.writeBytes(decoded.toByteArray());
        byte[] text = partialChar.toByteArray();
        int whole = wholeCharacters(text);
        body.append(new String(text, 0, whole, StandardCharsets.UTF_8));
        partialChar.reset();
        partialChar.write(text, whole, text.length - whole);
    }

    /** How many of the bytes end on a character boundary: a character split across reads waits for its rest. */
    private static int wholeCharacters(byte[] bytes) {
        for (int i = bytes.length - 1; i >= Math.max(0, bytes.length - 3); i--) {
            int b = bytes[i] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // a continuation byte: its lead is further back
            }
            int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return i + length <= bytes.length ? bytes.length : i;
        }
        return bytes.length;
    }

    private static int indexOfCrlf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Closes the connection the polite way (FIN). */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Closes the connection with a reset (SO_LINGER 0), as a crashed client or a proxy would. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
