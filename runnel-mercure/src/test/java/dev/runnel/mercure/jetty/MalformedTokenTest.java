package dev.runnel.mercure.jetty;

import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.runnel.mercure.jetty.MercureFixture.publisher;
import static dev.runnel.mercure.jetty.MercureFixture.subscriber;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of malformed JWS, sent to a running hub as a subscriber's and a publisher's token: each
 * is {@code 401} (never a stream, never a publish, never a 500), and the hub goes on serving.
 */
class MalformedTokenTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static MercureFixture hub;

    @BeforeAll
    static void start() {
        hub = MercureFixture.start(o -> o);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Malformed tokens, each built from a valid one where that makes the fault the only one. */
    static List<String> malformed() {
        String valid = subscriber("*");
        String[] parts = valid.split("\\.");
        String publisherValid = publisher("*");
        List<String> tokens = new ArrayList<>(List.of(
                "garbage", "a.b", "a.b.c", "..", "...", "a.b.c.d.e",
                parts[0] + "." + parts[1],                                   // no signature part
                parts[0] + "." + parts[1] + ".",                              // an empty signature
                parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4), // a cut signature
                parts[0] + "." + parts[1] + "." + parts[2] + "AAAA",           // a longer signature
                parts[0] + "." + parts[1] + "." + publisherValid.split("\\.")[2], // another token's signature
                parts[0] + "." + b64("{\"mercure\":{\"subscribe\":[\"*\"],\"publish\":[\"*\"]}}") + "." + parts[2], // claims changed
                "!!!." + parts[1] + "." + parts[2],                           // a header that is not base64url
                parts[0] + ".%%%." + parts[2],                                // claims that are not base64url
                parts[0].replace('-', '+').replace('_', '/') + "==." + parts[1] + "." + parts[2], // plain base64 with padding
                b64("not json") + "." + parts[1] + "." + parts[2],
                b64("[\"HS256\"]") + "." + parts[1] + "." + parts[2],         // a header that is an array
                b64("{\"alg\":\"none\"}") + "." + parts[1] + ".",             // unsigned
                b64("{\"alg\":\"HS999\"}") + "." + parts[1] + "." + parts[2],
                b64("{\"alg\":\"RS256\"}") + "." + parts[1] + "." + parts[2], // an algorithm the hub is not configured for
                b64("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}") + "." + parts[1] + "." + parts[2],
                b64("{\"alg\":\"HS256\"") + "." + parts[1] + "." + parts[2],  // truncated JSON
                parts[0] + "." + b64("\"just a string\"") + "." + parts[2],
                parts[0] + "." + b64("{\"mercure\":") + "." + parts[2],
                parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2] + "." + parts[2], // five parts, as a JWE
                "x".repeat(7000)));                                           // long, under the header cap
        tokens.add(b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}" + " ".repeat(3000)) + "." + parts[1] + "." + parts[2]);
        return tokens;
    }

    /** What only a raw request can carry: non-ASCII, controls, spaces inside. */
    static List<String> malformedBytes() {
        String[] parts = subscriber("*").split("\\.");
        return List.of("ünïcödé.ü.ü", parts[0] + ".é" + parts[1] + "." + parts[2], parts[0] + "." + parts[1] + " ." + parts[2],
                parts[0] + "\t." + parts[1] + "." + parts[2]);
    }

    @ParameterizedTest
    @MethodSource({"malformed", "malformedBytes"})
    void aSubscriptionWithAMalformedTokenIs401AndNeverAStream(String token) throws Exception {
        try (RawSseClient sub = hub.subscribeAsIs(Map.of("Authorization", "Bearer " + token), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(401);
            assertThat(sub.header("Content-Type")).doesNotContain("text/event-stream");
        }
        try (RawSseClient sub = hub.subscribeAsIs(Map.of(), "topic", "t", "authorization", token)) {
            assertThat(sub.status()).isEqualTo(401);
        }
        assertThat(hub.engine.openStreams()).isZero();
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void aPublishWithAMalformedTokenIs401AndPublishesNothing(String token) throws Exception {
        try (RawSseClient watcher = hub.subscribe(subscriber("*"), "topic", "t")) {
            assertThat(hub.publish(token, "topic", "t", "data", "forged").statusCode()).isEqualTo(401);
            String id = hub.publishOk("topic", "t", "data", "genuine");
            String seen = watcher.awaitText(id, Duration.ofSeconds(10));
            assertThat(seen).doesNotContain("forged");
        }
    }
}
