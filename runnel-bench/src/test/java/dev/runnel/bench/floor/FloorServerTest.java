package dev.runnel.bench.floor;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FloorServerTest {

    private static Socket subscribe(FloorServer server, String topic) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        // the head in two writes, split inside a line: the server must wait for its end
        out.write(("GET /sse/topic/" + topic + " HTTP/1.1\r\nHost: x\r\nAcc").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(20);
        out.write("ept: text/event-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readUntil(s.getInputStream(), "\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream")
                .containsIgnoringCase("transfer-encoding: chunked");
        return s;
    }

    private static String readUntil(InputStream in, String end) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith(end)) {
            int c = in.read();
            if (c < 0) {
                throw new AssertionError("stream ended after: " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    private static HttpResponse<String> publish(HttpClient client, FloorServer server, String topic, String form) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish/" + topic))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everySubscriberOfTheTopicGetsEachPublishedEventAsOneChunkAndOthersNothing() throws Exception {
        try (FloorServer server = FloorServer.start(0, 2);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<Socket> subscribers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                subscribers.add(subscribe(server, "bench"));
            }
            Socket other = subscribe(server, "other");
            server.awaitSubscribers(6, 10_000);

            // %C3%A9 is é: the form value is percent-decoded, and the event is its UTF-8 bytes
            assertThat(publish(client, server, "bench", "x=1&data=12%20%C3%A9").statusCode()).isEqualTo(200);
            assertThat(publish(client, server, "bench", "data=second").statusCode()).isEqualTo(200);

            String first = "data: 12 \u00e9\n\n";
            int size = first.getBytes(StandardCharsets.UTF_8).length;
            for (Socket s : subscribers) {
                byte[] got = s.getInputStream().readNBytes(Integer.toHexString(size).length() + 2 + size + 2);
                assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(Integer.toHexString(size) + "\r\n" + first + "\r\n");
                assertThat(readUntil(s.getInputStream(), "data: second\n\n\r\n")).isEqualTo("e\r\ndata: second\n\n\r\n");
            }
            other.setSoTimeout(200);
            assertThat(other.getInputStream().available()).isZero();
            for (Socket s : subscribers) {
                s.close();
            }
            other.close();
        }
    }

    @Test
    void aSubscriberThatLeavesIsDroppedAndTheOthersKeepReceiving() throws Exception {
        try (FloorServer server = FloorServer.start(0, 2);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            Socket leaving = subscribe(server, "t");
            Socket staying = subscribe(server, "t");
            server.awaitSubscribers(2, 10_000);
            leaving.close();
            long deadline = System.currentTimeMillis() + 10_000;
            while (server.subscribers() > 1 && System.currentTimeMillis() < deadline) {
                publish(client, server, "t", "data=ping");
                Thread.sleep(20);
            }
            assertThat(server.subscribers()).isEqualTo(1);
            assertThat(publish(client, server, "t", "data=after").statusCode()).isEqualTo(200);
            assertThat(readUntil(staying.getInputStream(), "data: after\n\n\r\n")).endsWith("data: after\n\n\r\n");
            staying.close();
        }
    }

    @Test
    void aPublishWithoutDataOrAnUnknownPathIsRefusedAndTheConnectionStillServes() throws Exception {
        try (FloorServer server = FloorServer.start(0, 1);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThat(publish(client, server, "t", "nodata=1").statusCode()).isEqualTo(400);
            HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/elsewhere")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(publish(client, server, "t", "data=1").statusCode()).isEqualTo(200);
        }
    }
}
