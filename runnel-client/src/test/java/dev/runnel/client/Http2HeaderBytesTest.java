package dev.runnel.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why the client sends no non-ASCII id even over HTTP/2: HPACK would carry header chars 0x80-0xFF
 * as bytes (so UTF-8 bytes disguised as Latin-1 would arrive intact), but an {@code http} URI's
 * first request on a connection is an HTTP/1.1 upgrade request, where they become {@code ?}; and
 * over {@code https} the server chooses the protocol. A raw h2c server on a socket captures the
 * exact bytes of both requests.
 */
class Http2HeaderBytesTest {

    private static final byte[] UTF8 = "\u65e5\u672c".getBytes(StandardCharsets.UTF_8);
    private static final String AS_LATIN1 = new String(UTF8, StandardCharsets.ISO_8859_1);

    @Test
    void hpackWouldCarryTheBytesButTheUpgradeRequestTurnsThemIntoQuestionMarks() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            CompletableFuture<List<byte[]>> captured = new CompletableFuture<>();
            Thread.ofVirtual().name("h2c-raw-server").start(() -> serveTwoRequests(server, captured));
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
            List<HttpClient.Version> versions = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpRequest request = HttpRequest.newBuilder(uri).header("X-Id", AS_LATIN1).timeout(Duration.ofSeconds(10)).build();
                versions.add(client.send(request, HttpResponse.BodyHandlers.discarding()).version());
            }
            List<byte[]> heads = captured.get(10, TimeUnit.SECONDS);
            assertThat(versions).containsExactly(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_2);
            assertThat(indexOf(heads.get(0), UTF8)).as("the HTTP/1.1 upgrade request holds the UTF-8 bytes").isNegative();
            assertThat(new String(heads.get(0), StandardCharsets.ISO_8859_1)).contains("X-Id: ??????\r\n");
            assertThat(indexOf(heads.get(1), UTF8)).as("the HPACK block of the second request holds the UTF-8 bytes").isNotNegative();
        }
    }

    /**
     * Accepts one h2c upgrade, answers stream 1 and stream 3, and completes {@code captured} with the
     * upgrade request's head and stream 3's HPACK block; then reads until the client closes.
     */
    private static void serveTwoRequests(ServerSocket server, CompletableFuture<List<byte[]>> captured) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] head = readHead(in);
            out.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(frame(4, 0, 0, new byte[0])); // SETTINGS
            answer(out, 1);
            in.readNBytes(24); // the client's preface
            while (true) {
                byte[] header = in.readNBytes(9);
                if (header.length < 9) {
                    captured.completeExceptionally(new IOException("the client closed the connection"));
                    return;
                }
                int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                int type = header[3];
                int flags = header[4];
                int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
                byte[] payload = in.readNBytes(length);
                if (type == 4 && (flags & 1) == 0) {
                    out.write(frame(4, 1, 0, new byte[0])); // SETTINGS ACK
                    out.flush();
                } else if (type == 1) { // HEADERS of the second request
                    answer(out, stream);
                    captured.complete(List.of(head, payload));
                }
            }
        } catch (IOException e) {
            captured.completeExceptionally(e);
        }
    }

    /** HEADERS {@code :status 200} (static table entry 8), then an empty DATA frame that ends the stream. */
    private static void answer(OutputStream out, int stream) throws IOException {
        out.write(frame(1, 4, stream, new byte[] {(byte) 0x88}));
        out.write(frame(0, 1, stream, new byte[0]));
        out.flush();
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >> 16);
        frame[1] = (byte) (payload.length >> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        frame[5] = (byte) (stream >> 24);
        frame[6] = (byte) (stream >> 16);
        frame[7] = (byte) (stream >> 8);
        frame[8] = (byte) stream;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed before the end of the request head");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toByteArray();
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
}
