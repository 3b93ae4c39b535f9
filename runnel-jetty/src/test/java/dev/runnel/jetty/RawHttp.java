package dev.runnel.jetty;

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
import java.util.List;
import java.util.Locale;

/**
 * One HTTP/1.x connection on a plain socket, for tests that must send exactly the bytes they mean
 * (a body one byte at a time, an HTTP/1.0 request line) and see every response header as sent,
 * repeated ones included. Not thread-safe.
 */
final class RawHttp implements AutoCloseable {

    /** A response as it came off the wire: header names lower-cased, in order, repeats kept. */
    record Response(int status, List<String[]> headers, byte[] body) {

        List<String> all(String name) {
            List<String> values = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equals(name.toLowerCase(Locale.ROOT))) {
                    values.add(h[1]);
                }
            }
            return values;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to the server of {@code uri}; every read waits at most {@code readTimeout}. */
    static RawHttp connect(URI uri, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true); // no Nagle delay: what a test sends byte by byte leaves byte by byte
            return new RawHttp(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** True when the server has sent nothing yet (does not wait). */
    boolean nothingReceived() throws IOException {
        return in.available() == 0;
    }

    /**
     * Reads one response: the head, then a body framed by {@code Content-Length}, chunked encoding,
     * or (with neither, as HTTP/1.0 does) the end of the connection. {@code head} skips the body.
     */
    Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("no HTTP response, got: " + statusLine);
        }
        List<String[]> headers = new ArrayList<>();
        for (String line; (line = line()) != null && !line.isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim()});
        }
        Response bare = new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new byte[0]);
        if (head || bare.status() == 204 || bare.status() == 304) {
            return bare;
        }
        List<String> length = bare.all("content-length");
        byte[] body;
        if (!length.isEmpty()) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
        } else if (bare.all("transfer-encoding").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
                all.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = all.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(bare.status(), headers, body);
    }

    /** True when the server closes the connection within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
