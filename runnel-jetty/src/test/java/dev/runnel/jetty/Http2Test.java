package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP/2 on the embedded server: h2c, TLS with ALPN, many streams on one connection, resets. */
class Http2Test {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<RunnelServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RunnelServer::stop);
    }

    private RunnelServer start(RunnelServer.Builder builder) {
        RunnelServer server = builder.port(0).engine(SseEngine.builder().closeEvent("done").build()).build();
        server.sse("/count", req -> {
            int n = req.queryInt("n", 3, 1, 1000);
            return EventStream.producer(out -> {
                for (int i = 1; i <= n; i++) {
                    out.emit(SseEvent.of("event " + i).withId(Integer.toString(i)));
                }
            });
        });
        server.get("/ping", req -> dev.runnel.jetty.HttpResponse.text(200, "pong"));
        server.start();
        servers.add(server);
        return server;
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").timeout(WAIT).build();
    }

    /** Ten streams at once from one client; each must arrive whole and over HTTP/2. */
    private static void tenStreamsOverHttp2(HttpClient client, URI base) throws Exception {
        // one plain request first, so the client holds an HTTP/2 connection before the burst
        assertThat(client.send(HttpRequest.newBuilder(base.resolve("/ping")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).version()).isEqualTo(HttpClient.Version.HTTP_2);
        List<CompletableFuture<java.net.http.HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            streams.add(client.sendAsync(get(base.resolve("/count?n=5")), java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        for (var stream : streams) {
            java.net.http.HttpResponse<String> response = stream.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(response.headers().map()).doesNotContainKey("connection");
            assertThat(response.body()).startsWith("id: 1\ndata: event 1\n\n").contains("id: 5\ndata: event 5\n\n")
                    .endsWith("event: done\ndata: complete\n\n");
        }
    }

    @Test
    void tenStreamsShareOneH2cConnection() throws Exception {
        RunnelServer server = start(RunnelServer.builder());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        tenStreamsOverHttp2(client, server.uri());
    }

    @Test
    void tlsNegotiatesHttp2WithAlpn(@TempDir Path dir) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        RunnelServer server = start(RunnelServer.builder().tls(keyStore, DevCertificate.PASSWORD));
        assertThat(server.uri().getScheme()).isEqualTo("https");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting(keyStore)).build();
        tenStreamsOverHttp2(client, URI.create("https://localhost:" + server.port()));
    }

    @Test
    void tlsStillServesHttp1ClientsThatDoNotOfferH2(@TempDir Path dir) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        RunnelServer server = start(RunnelServer.builder().tls(keyStore, DevCertificate.PASSWORD));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(keyStore)).build();
        var response = client.send(get(URI.create("https://localhost:" + server.port() + "/count?n=2")),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.body()).isEqualTo("id: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\nevent: done\ndata: complete\n\n");
    }

    @Test
    void aDevelopmentCertificateIsMadeOnceAndReused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("certs/dev.p12");
        DevCertificate.loadOrCreate(file);
        byte[] first = Files.readAllBytes(file);
        DevCertificate.loadOrCreate(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(first);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, DevCertificate.PASSWORD.toCharArray());
        }
        assertThat(store.isKeyEntry("runnel-dev")).isTrue();
    }

    @Test
    void curlWithPriorKnowledgeStreamsOverH2c() throws Exception {
        RunnelServer server = start(RunnelServer.builder());
        Process curl = new ProcessBuilder("curl", "-sN", "--http2-prior-knowledge", "-w", "%{http_version}",
                server.uri() + "/count?n=2").redirectErrorStream(true).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("id: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\nevent: done\ndata: complete\n\n2");
    }

    @Test
    void aClientThatResetsItsHttp2StreamCancelsTheProducerPromptly() throws Exception {
        AtomicInteger cleanups = new AtomicInteger();
        CountDownLatch cleaned = new CountDownLatch(1);
        RunnelServer server = RunnelServer.builder().port(0).engine(SseEngine.builder().build()).build();
        server.sse("/hold", req -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleanups.incrementAndGet();
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        server.start();
        servers.add(server);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        client.send(HttpRequest.newBuilder(server.uri().resolve("/hold")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()); // upgrade the connection to h2c first
        var response = client.send(get(server.uri().resolve("/hold")), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo("data: hello");
        long closedAt = System.nanoTime();
        response.body().close(); // the JDK client resets the stream; the connection stays up
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).as("producer cancelled within 5 s of the reset").isTrue();
        System.out.printf("[figure] Http2Test: producer cancelled %d ms after the client reset its HTTP/2 stream%n",
                (System.nanoTime() - closedAt) / 1_000_000);
        assertThat(cleanups).hasValue(1);
    }

    @Test
    void aResetHttp2StreamNeverHoldsJettysThreadWhileTheHubIsBusy() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        CountDownLatch matching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.sse("/topic", req -> engine.hub().subscribe(req, "t").heartbeat(Duration.ofSeconds(60)));
        // a selector whose matcher blocks on "block": a publish there holds the hub's lock until released
        server.sse("/slow", req -> engine.hub().subscribe(req, dev.runnel.hub.SubscribeRequest.builder()
                .select(dev.runnel.hub.TopicSelector.matching("blocker", topic -> {
                    if (topic.equals("block")) {
                        matching.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return false;
                })).build()));
        server.get("/ping", req -> dev.runnel.jetty.HttpResponse.text(200, "pong"));
        server.start();
        servers.add(server);
        try (var slow = dev.runnel.testkit.RawSseClient.get(server.uri().resolve("/slow"))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            client.send(HttpRequest.newBuilder(server.uri().resolve("/ping")).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            var response = client.send(get(server.uri().resolve("/topic")), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            dev.runnel.testkit.Await.until(() -> engine.hub().subscribers("t") == 1, "subscribed over HTTP/2", WAIT);
            Thread publisher = Thread.ofVirtual().start(() -> engine.hub().publish(dev.runnel.hub.Update.of("block", "x")));
            assertThat(matching.await(10, TimeUnit.SECONDS)).as("the hub's lock is held").isTrue();

            response.body().close(); // resets the stream: its disconnect must not wait for the lock on Jetty's thread
            var pong = client.sendAsync(HttpRequest.newBuilder(server.uri().resolve("/ping")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());

            assertThat(pong.get(10, TimeUnit.SECONDS).body().strip()).as("the connection serves others while the hub is busy").isEqualTo("pong");
            release.countDown();
            publisher.join(Duration.ofSeconds(10));
            dev.runnel.testkit.Await.until(() -> engine.hub().subscribers("t") == 0, "the reset stream left its topic", WAIT);
        } finally {
            release.countDown();
        }
    }

    private static SSLContext trusting(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, DevCertificate.PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
