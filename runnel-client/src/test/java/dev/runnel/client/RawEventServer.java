package dev.runnel.client;

import dev.runnel.client.internal.Delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on a loopback socket that answers each connection with the next scripted
 * {@link Answer}: crafted bytes, cut into the pieces a {@link Delivery} says, each sent as its own
 * chunk and flushed (the JDK client hands each chunk to the reader separately). Every answer says
 * {@code Connection: close}, so one connection is one attempt. Records every request.
 */
final class RawEventServer implements AutoCloseable {

    /** A request as received, with the time it arrived and its head's exact bytes. */
    record Request(String method, String target, Map<String, String> headers, long nanoTime, byte[] head) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        /** The exact bytes of a header's value, after the colon and one space, up to the CRLF. */
        Optional<byte[]> headerBytes(String name) {
            byte[] prefix = ("\r\n" + name.toLowerCase(Locale.ROOT) + ":").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i + prefix.length <= head.length; i++) {
                if (startsAt(i, prefix)) {
                    int from = i + prefix.length;
                    from += from < head.length && head[from] == ' ' ? 1 : 0;
                    int to = from;
                    while (to + 1 < head.length && !(head[to] == '\r' && head[to + 1] == '\n')) {
                        to++;
                    }
                    return Optional.of(java.util.Arrays.copyOfRange(head, from, to));
                }
            }
            return Optional.empty();
        }

        private boolean startsAt(int i, byte[] lowerCase) {
            for (int j = 0; j < lowerCase.length; j++) {
                byte b = head[i + j];
                if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerCase[j]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What happens after an answer's bytes are written. */
    enum After {
        /** The terminating chunk, then the connection closes: the stream ended cleanly. */
        FINISH,
        /** The connection stays open until the client closes it. */
        HOLD,
        /** The connection closes (FIN) without the terminating chunk: a broken stream. */
        ABORT
    }

    /** One scripted answer, its pieces {@code gap} apart; {@code status == 0} never answers at all. */
    record Answer(int status, Map<String, String> headers, List<byte[]> pieces, After after, Duration gap) {

        static Answer events(String body) {
            return events(body.getBytes(StandardCharsets.UTF_8), Delivery.WHOLE, After.FINISH);
        }

        static Answer events(byte[] body, Delivery delivery, After after) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "text/event-stream");
            return new Answer(200, headers, delivery.split(body), after, Duration.ZERO);
        }

        static Answer status(int status) {
            return new Answer(status, Map.of(), List.of(), After.FINISH, Duration.ZERO);
        }

        static Answer silence() {
            return new Answer(0, Map.of(), List.of(), After.HOLD, Duration.ZERO);
        }

        Answer then(After next) {
            return new Answer(status, headers, pieces, next, gap);
        }

        /** The same, with a pause of {@code pause} before every piece but the first. */
        Answer gaps(Duration pause) {
            return new Answer(status, headers, pieces, after, pause);
        }

        Answer header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, pieces, after, gap);
        }
    }

    private final ServerSocket server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private volatile Answer last = Answer.status(503);
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final BlockingQueue<Integer> clientClosed = new LinkedBlockingQueue<>();
    private final AtomicInteger clientCloses = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private RawEventServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-event-server").start(this::acceptLoop);
    }

    static RawEventServer start() throws IOException {
        return new RawEventServer();
    }

    /** Queues answers for the next connections; the last one is repeated once the queue is empty. */
    RawEventServer answer(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    int connections() {
        return connections.get();
    }

    /** How many held connections the client has closed so far. */
    int clientCloses() {
        return clientCloses.get();
    }

    /** The next request, waiting for it. */
    Request takeRequest() throws InterruptedException {
        Request request = requests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request arrived within 10 s");
        }
        return request;
    }

    /** Waits until the client closes a connection this server held open; returns its number (1-based). */
    int awaitClientClose(Duration timeout) throws InterruptedException {
        Integer n = clientClosed.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (n == null) {
            throw new AssertionError("the client did not close its connection within " + timeout);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        stopped.countDown();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket socket = server.accept();
                sockets.add(socket);
                int n = connections.incrementAndGet();
                Thread.ofVirtual().name("raw-event-server-" + n).start(() -> serve(socket, n));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void serve(Socket socket, int n) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            Request request = readHead(in);
            Answer answer = script.poll();
            if (answer == null) {
                answer = last;
            }
            last = answer;
            requests.add(request);
            if (answer.status() != 0) {
                write(out, answer);
            }
            switch (answer.after()) {
                case FINISH -> {
                    if (answer.status() == 200) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                }
                case HOLD -> {
                    while (in.read() >= 0) {
                        // the client sends nothing more: wait for its close
                    }
                    clientCloses.incrementAndGet();
                    clientClosed.add(n);
                }
                case ABORT -> out.flush(); // closed without the terminating chunk
            }
        } catch (IOException e) {
            // the client went away, or the server closed
        }
    }

    private static void write(OutputStream out, Answer answer) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(' ').append(reason(answer.status())).append("\r\n");
        answer.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Connection: close\r\n");
        if (answer.status() == 200) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (answer.status() != 204 && answer.status() / 100 != 1) {
            head.append("Content-Length: 0\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        boolean first = true;
        for (byte[] piece : answer.pieces()) {
            if (!first && answer.gap().isPositive()) {
                pause(answer.gap());
            }
            first = false;
            out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(piece);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private static void pause(Duration gap) throws IOException {
        try {
            Thread.sleep(gap);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted between pieces");
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 302 -> "Found";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private static Request readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed before the end of the request head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long at = System.nanoTime();
        List<String> lines = new ArrayList<>(List.of(head.toString(StandardCharsets.ISO_8859_1).split("\r\n")));
        String[] requestLine = lines.remove(0).split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return new Request(requestLine[0], requestLine[1], headers, at, head.toByteArray());
    }
}
