package dev.runnel.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link MercurePublisher} against a hub stand-in on loopback (the JDK's HTTP server), which records
 * each publish as the draft defines it (a form POST with a bearer token) and answers as told: the
 * fields on the wire, the id it answers, refusals, and hubs that stall or flood.
 */
class MercurePublisherTest {

    private HttpServer hub;
    private final List<Map.Entry<String, String>> fields = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private final AtomicReference<String> contentType = new AtomicReference<>();
    private volatile Answer answer = exchange -> reply(exchange, 200, "urn:uuid:from-the-hub");
    private final CountDownLatch stop = new CountDownLatch(1);

    interface Answer {
        void handle(HttpExchange exchange) throws IOException;
    }

    @BeforeEach
    void start() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        hub.createContext("/.well-known/mercure", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                fields.add(Map.entry(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
            }
            answer.handle(exchange);
        });
        hub.start();
    }

    @AfterEach
    void stop() {
        stop.countDown();
        hub.stop(0);
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort() + "/.well-known/mercure");
    }

    private MercurePublisher publisher() {
        return MercurePublisher.builder(uri()).token(() -> "header.payload.signature").timeout(Duration.ofSeconds(2)).build();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void aPublishIsOneFormPostWithEveryFieldAndTheBearerTokenAndReturnsTheHubsId() throws Exception {
        String data = "line one\nline two & more = ü 中文 \uD83D\uDE00";
        MercureUpdate update = MercureUpdate.of("https://example.com/books/1", data)
                .withAlternates(List.of("https://example.com/users/7/books"))
                .withType("book-changed").withRetry(3000).asPrivate();

        String id = publisher().publish(update);

        assertThat(id).isEqualTo("urn:uuid:from-the-hub");
        assertThat(authorization.get()).isEqualTo("Bearer header.payload.signature");
        assertThat(contentType.get()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(fields).containsExactly(
                Map.entry("topic", "https://example.com/books/1"), Map.entry("topic", "https://example.com/users/7/books"),
                Map.entry("data", data), Map.entry("type", "book-changed"), Map.entry("retry", "3000"), Map.entry("private", "on"));
    }

    @Test
    void anUpdateWithItsOwnIdSendsItAndAPublicOneSendsNoPrivateField() throws Exception {
        answer = exchange -> reply(exchange, 200, "mine\n");

        assertThat(publisher().publish(MercureUpdate.of("t", "").withId("mine"))).isEqualTo("mine");
        assertThat(fields).containsExactly(Map.entry("topic", "t"), Map.entry("data", ""), Map.entry("id", "mine"));
    }

    @Test
    void aRefusalIsAnExceptionWithTheHubsStatusAndWords() {
        answer = exchange -> reply(exchange, 403, "the token may not publish on https://example.com/secret\n");

        assertThatThrownBy(() -> publisher().publish(MercureUpdate.of("https://example.com/secret", "x")))
                .isInstanceOfSatisfying(MercurePublishException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("403").contains("may not publish");
                });
    }

    @Test
    void aTokenSupplierThatFailsOrGivesNothingUsableSendsNothing() {
        MercurePublisher failing = MercurePublisher.builder(uri()).token(() -> {
            throw new IllegalStateException("vault down");
        }).build();
        MercurePublisher injecting = MercurePublisher.builder(uri()).token(() -> "abc\r\nX-Evil: 1").build();

        assertThatThrownBy(() -> failing.publish(MercureUpdate.of("t", "x"))).hasMessageContaining("vault down");
        assertThatThrownBy(() -> injecting.publish(MercureUpdate.of("t", "x"))).hasMessageContaining("no usable JWT");
        assertThat(fields).as("nothing reached the hub").isEmpty();
    }

    @Test
    void aHubThatStallsMidAnswerIsGivenUpOnWithinTheTimeout() throws Exception {
        answer = exchange -> {
            exchange.sendResponseHeaders(200, 100);
            exchange.getResponseBody().write("urn:".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                stop.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        MercurePublisher quick = MercurePublisher.builder(uri()).token(() -> "t.t.t").timeout(Duration.ofMillis(500)).build();

        long start = System.nanoTime();
        assertThatThrownBy(() -> quick.publish(MercureUpdate.of("t", "x"))).isInstanceOf(HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the timeout, not the stall").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aHubThatFloodsItsAnswerIsReadOnlyUpToTheBound() {
        answer = exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, endless
            OutputStream out = exchange.getResponseBody();
            byte[] junk = new byte[64 * 1024];
            java.util.Arrays.fill(junk, (byte) 'x');
            try {
                for (int i = 0; i < 1024 && stop.getCount() > 0; i++) {
                    out.write(junk);
                }
            } catch (IOException clientGaveUp) {
                // expected: the publisher stopped reading
            }
        };

        assertThatThrownBy(() -> publisher().publish(MercureUpdate.of("t", "x")))
                .isInstanceOf(IOException.class).hasMessageContaining("more than " + MercurePublisher.MAX_ANSWER_BYTES);
    }

    @Test
    void anUnreachableHubFailsWithAnIOException() throws Exception {
        hub.stop(0);

        assertThatThrownBy(() -> publisher().publish(MercureUpdate.of("t", "x"))).isInstanceOf(IOException.class);
    }

    @Test
    void publishAsyncCompletesWithTheIdOrTheRefusal() throws Exception {
        assertThat(publisher().publishAsync(MercureUpdate.of("t", "x")).get(5, TimeUnit.SECONDS)).isEqualTo("urn:uuid:from-the-hub");
        answer = exchange -> reply(exchange, 401, "no token");
        assertThatThrownBy(() -> publisher().publishAsync(MercureUpdate.of("t", "x")).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(MercurePublishException.class);
    }

    @Test
    void updatesTheDraftForbidsAreRefusedBeforeAnyRequest() {
        List<Runnable> bad = new ArrayList<>(List.of(
                () -> new MercureUpdate(List.of(), "x", null, null, null, false),
                () -> MercureUpdate.of("t", "x").withId("#fragment"),
                () -> MercureUpdate.of("t", "x").withId("a\nb"),
                () -> MercureUpdate.of("t", "x").withId("a\0b"),
                () -> MercureUpdate.of("t", "x").withType("a\r\nb"),
                () -> MercureUpdate.of("t", "x").withRetry(-1),
                () -> MercureUpdate.of("", "x")));
        for (Runnable r : bad) {
            assertThatIllegalArgumentException().isThrownBy(r::run);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> MercurePublisher.builder(URI.create("ftp://h/x")));
        assertThatThrownBy(() -> MercurePublisher.builder(uri()).build()).hasMessageContaining("needs a token");
    }

    @Test
    void anAcceptedPublishWhoseIdIsNotUtf8OrNotOneLineIsAnIOExceptionNotAGarbledId() {
        // the id is what a subscriber resumes after: a replaced byte or a second line would name another one
        for (byte[] body : List.of(new byte[]{'u', 'r', 'n', ':', (byte) 0xFF, (byte) 0xFE},
                "urn:a\nurn:b".getBytes(StandardCharsets.UTF_8), "urn:a\u0000".getBytes(StandardCharsets.UTF_8))) {
            answer = exchange -> {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            };
            assertThatThrownBy(() -> publisher().publish(MercureUpdate.of("t", "x")))
                    .as("answer %s", java.util.Arrays.toString(body)).isInstanceOf(IOException.class)
                    .isNotInstanceOf(MercurePublishException.class);
        }
    }
}
