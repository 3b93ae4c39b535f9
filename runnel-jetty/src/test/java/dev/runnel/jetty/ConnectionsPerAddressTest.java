package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cap on connections from one address: a flood beyond it is closed at once while other
 * addresses are served, every slot comes back when its connection ends (HTTP/1.1, h2c, TLS), and
 * behind a trusted proxy the cap applies to each forwarded client. The default suite floods with 600
 * connections over a cap of 200; {@code -Drunnel.hostile.full=true} with 5,000 over a cap of 2,000.
 */
class ConnectionsPerAddressTest {

    private static final boolean FULL = Boolean.getBoolean("runnel.hostile.full");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final InetAddress LOCAL = address("127.0.0.1");
    private static final InetAddress OTHER = address("127.0.0.2");
    private final List<Socket> sockets = new ArrayList<>();
    private final List<RawSseClient> clients = new ArrayList<>();
    private RunnelServer server;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        for (RawSseClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private URI start(RunnelServer.Builder builder) {
        server = builder.port(0).engine(SseEngine.builder().build()).build();
        server.sse("/events", req -> EventStream.producer(out -> {
            out.emit("from " + req.remoteAddress().getAddress().getHostAddress());
            Thread.sleep(Duration.ofHours(1));
        }));
        server.get("/ping", req -> HttpResponse.text(200, "pong"));
        server.get("/boom", req -> {
            throw new IllegalStateException("a handler that fails");
        });
        server.sse("/refused", req -> {
            throw new dev.runnel.BadRequestException("a stream refused before it starts");
        });
        server.start();
        return server.uri();
    }

    @Test
    void aFloodFromOneAddressBeyondTheCapIsClosedAtOnceWhileOthersAreServed() throws Exception {
        int cap = FULL ? 2000 : 200;
        int flood = FULL ? 5000 : 600;
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(cap));
        RawSseClient healthy = stream(uri, OTHER, Map.of());
        healthy.awaitText("data: from 127.0.0.2\n\n", WAIT);
        for (int i = 0; i < flood; i++) {
            sockets.add(connect(uri, LOCAL));
        }
        Await.until(() -> server.openFrom(LOCAL) == cap, "the cap's worth of connections counted", WAIT);
        List<Socket> open = new ArrayList<>(sockets);
        Await.until(() -> {
            open.removeIf(s -> closedByServer(s, Duration.ofMillis(1)));
            return open.size() <= cap;
        }, "the connections over the cap closed", WAIT);
        assertThat(open).as("connections left open").hasSize(cap);
        assertThat(server.openFrom(LOCAL)).isEqualTo(cap);
        // other addresses go on being served, and the healthy stream is still open
        stream(uri, OTHER, Map.of()).awaitText("data: from 127.0.0.2\n\n", WAIT);
        assertThat(healthy.ended()).isFalse();
        // once the flood ends, the address is served again within a second
        for (Socket s : sockets) {
            s.close();
        }
        Await.until(() -> server.openFrom(LOCAL) == 0, "the flood's slots given back", WAIT);
        long start = System.nanoTime();
        stream(uri, LOCAL, Map.of()).awaitText("data: from 127.0.0.1\n\n", WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void everySlotComesBackWhenItsConnectionEndsOverHttp1AndH2c() throws Exception {
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(3));
        for (int i = 0; i < 10; i++) {
            try (RawHttp c = RawHttp.connect(uri, WAIT)) {
                c.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read(false).status()).isEqualTo(200);
            }
            Socket closedBeforeSending = connect(uri, LOCAL);
            closedBeforeSending.close();
            // h2c by prior knowledge: the HTTP/1.1 connection becomes an HTTP/2 one on the same socket
            try (RawHttp c = RawHttp.connect(uri, Duration.ofMillis(100))) {
                c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
                c.send(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
                assertThat(c.closedByServer()).as("an h2c connection without requests stays open until closed").isFalse();
            }
            // the server learns of each close in its own time
            Await.until(() -> server.openFrom(LOCAL) == 0, "every slot given back", WAIT);
        }
        Await.until(() -> server.openFrom(LOCAL) == 0, "every slot given back", WAIT);
    }

    @Test
    void everySlotComesBackWhenItsConnectionEndsOverTls(@TempDir Path dir) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(2).tls(keyStore, DevCertificate.PASSWORD));
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            for (int i = 0; i < 10; i++) {
                try (HttpClient client = HttpClient.newBuilder().version(version).sslContext(trusting(keyStore)).build()) {
                    var response = client.send(HttpRequest.newBuilder(uri.resolve("/ping")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(response.version()).isEqualTo(version);
                }
            }
        }
        Await.until(() -> server.openFrom(LOCAL) == 0, "every slot given back", WAIT);
    }

    @Test
    void everySlotComesBackWhenATlsHandshakeFailsOrAnUpgradeIsAsked(@TempDir Path dir) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(2).tls(keyStore, DevCertificate.PASSWORD));
        for (int i = 0; i < 4; i++) {
            // plain HTTP on the TLS port: not a ClientHello
            try (Socket plain = connect(uri, LOCAL)) {
                plain.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                closedByServer(plain, Duration.ofSeconds(2));
            }
            // the start of a TLS record, then silence and a close mid-handshake
            try (Socket half = connect(uri, LOCAL)) {
                half.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
            }
            // a client that does not trust the server's certificate: the handshake fails with an alert
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(uri.resolve("/ping")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            }
            Await.until(() -> server.openFrom(LOCAL) == 0, "the failed handshakes' slots given back", WAIT);
        }
        stop();
        server = null;
        URI plain = start(RunnelServer.builder().maxConnectionsPerAddress(2));
        for (int i = 0; i < 4; i++) {
            // an HTTP/1.1 request asking to upgrade to h2c, then a close before or after the answer
            try (Socket c = connect(plain, LOCAL)) {
                c.getOutputStream().write(("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                        + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                if (i % 2 == 0) {
                    c.setSoTimeout((int) WAIT.toMillis());
                    assertThat(c.getInputStream().read()).as("an answer (101 or 200) begins").isEqualTo('H');
                }
            }
            Await.until(() -> server.openFrom(LOCAL) == 0, "the upgraded connections' slots given back", WAIT);
        }
    }

    @Test
    void behindATrustedProxyTheCapAppliesToTheForwardedClient() throws Exception {
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(3).trustedProxies("127.0.0.1", "::1"));
        // the proxy's own connections are not counted: ten at once, three each for two clients, and more
        for (int i = 0; i < 3; i++) {
            stream(uri, LOCAL, Map.of("X-Forwarded-For", "203.0.113.7")).awaitText("data: from 203.0.113.7\n\n", WAIT);
            stream(uri, LOCAL, Map.of("X-Forwarded-For", "198.51.100.1, 203.0.113.8, 127.0.0.1"))
                    .awaitText("data: from 203.0.113.8\n\n", WAIT);
        }
        RawSseClient fourth = stream(uri, LOCAL, Map.of("X-Forwarded-For", "203.0.113.7"));
        assertThat(fourth.status()).isEqualTo(503);
        assertThat(fourth.header("Retry-After")).isEqualTo("2");
        assertThat(fourth.readToEnd(WAIT)).startsWith("too many connections from your address (at most 3)");
        stream(uri, LOCAL, Map.of()).awaitText("data: from 127.0.0.1\n\n", WAIT);
        assertThat(server.openFrom(LOCAL)).isZero();
        assertThat(server.openFrom(address("203.0.113.7"))).isEqualTo(3);
        // a slot comes back when its stream ends
        clients.get(0).close();
        Await.until(() -> server.openFrom(address("203.0.113.7")) == 2, "the ended stream's slot given back", WAIT);
        stream(uri, LOCAL, Map.of("X-Forwarded-For", "203.0.113.7")).awaitText("data: from 203.0.113.7\n\n", WAIT);
    }

    @Test
    void aForwardedClientsSlotComesBackWhenItsRequestFailsOrIsRefused() throws Exception {
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(2).trustedProxies("127.0.0.1"));
        for (int i = 0; i < 5; i++) {
            try (RawHttp c = RawHttp.connect(uri, WAIT)) {
                c.send("GET /boom HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");
                assertThat(c.read(false).status()).isEqualTo(500);
                c.send("GET /refused HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\nAccept: text/event-stream\r\n\r\n");
                assertThat(c.read(false).status()).isEqualTo(400);
                c.send("GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");
                assertThat(c.read(false).status()).isEqualTo(404);
            }
        }
        Await.until(() -> server.openFrom(address("203.0.113.7")) == 0, "every slot given back", WAIT);
    }

    @Test
    void aForwardedAddressFromAnUntrustedPeerIsIgnored() throws Exception {
        URI uri = start(RunnelServer.builder().maxConnectionsPerAddress(2).trustedProxies("127.0.0.1"));
        stream(uri, OTHER, Map.of("X-Forwarded-For", "203.0.113.7")).awaitText("data: from 127.0.0.2\n\n", WAIT);
        stream(uri, OTHER, Map.of("X-Forwarded-For", "203.0.113.9")).awaitText("data: from 127.0.0.2\n\n", WAIT);
        Socket third = connect(uri, OTHER);
        sockets.add(third);
        assertThat(closedByServer(third, WAIT)).isTrue();
        // what a trusted proxy forwards that is not an address (a name, garbage) is the proxy's own request
        stream(uri, LOCAL, Map.of("X-Forwarded-For", "proxy.example, évil")).awaitText("data: from 127.0.0.1\n\n", WAIT);
    }

    @Test
    void capsAndProxiesOutsideTheirRangeAreRefusedAtConfiguration() {
        assertThatThrownBy(() -> RunnelServer.builder().maxConnectionsPerAddress(0))
                .hasMessageContaining("maxConnectionsPerAddress must be from 1 to 1000000, got 0");
        assertThatThrownBy(() -> RunnelServer.builder().trustedProxies("127.0.0.1", "proxy.example"))
                .hasMessageContaining("trustedProxies takes IP addresses (203.0.113.7, 2001:db8::1), got \"proxy.example\"");
        assertThatThrownBy(() -> RunnelServer.builder().trustedProxies("256.1.1.1")).hasMessageContaining("\"256.1.1.1\"");
        assertThatThrownBy(() -> RunnelServer.builder().trustedProxies("cafe")).hasMessageContaining("\"cafe\"");
        RunnelServer.builder().trustedProxies("10.0.0.1", "[2001:db8::1]", "::1");
    }

    private RawSseClient stream(URI uri, InetAddress from, Map<String, String> headers) throws IOException {
        // RawSseClient connects from the default address; a request from another one goes through a bound socket
        if (from.equals(LOCAL)) {
            RawSseClient c = RawSseClient.get(uri.resolve("/events"), headers);
            clients.add(c);
            return c;
        }
        RawSseClient c = RawSseClient.get(uri.resolve("/events"), headers, from);
        clients.add(c);
        return c;
    }

    private static Socket connect(URI uri, InetAddress from) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        return socket;
    }

    /** True when the server closes {@code socket} within {@code wait} without sending anything. */
    private static boolean closedByServer(Socket socket, Duration wait) {
        try {
            socket.setSoTimeout((int) wait.toMillis());
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
