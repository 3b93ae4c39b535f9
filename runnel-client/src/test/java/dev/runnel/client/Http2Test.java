package dev.runnel.client;

import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The same reader over HTTP/2: Jetty with h2c, which the JDK client reaches by upgrading. */
class Http2Test {

    private Server server;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "text/event-stream");
                String lastId = request.getHeaders().get("Last-Event-ID");
                String body = lastId == null ? "id: 1\ndata: caf\u00e9\n\n" : "data: resumed after " + lastId + "\n\n";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                for (byte b : bytes) { // one DATA frame per byte
                    try (Blocker.Callback written = Blocker.callback()) {
                        response.write(false, ByteBuffer.wrap(new byte[] {b}), written);
                        written.block();
                    }
                }
                response.write(true, ByteBuffer.allocate(0), callback);
                return true;
            }
        });
        server.start();
        uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/events");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aStreamIsReadOverHttp2AndResumedWithLastEventId() throws Exception {
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        Recorder recorder = new Recorder();
        List<String> data = new ArrayList<>();
        EventSource source = EventSource.connect(uri, EventSourceOptions.DEFAULTS.withHttpClient(http2)
                .withRetry(java.time.Duration.ofMillis(10)), recorder);
        try {
            data.addAll(recorder.awaitEventData(2));
        } finally {
            source.close();
            http2.shutdownNow();
            http2.awaitTermination(java.time.Duration.ofSeconds(5));
        }
        assertThat(data).containsExactly("caf\u00e9", "resumed after 1");
        assertThat(recorder.opens).allSatisfy(open -> assertThat(open.version()).isEqualTo(HttpClient.Version.HTTP_2));
    }
}
