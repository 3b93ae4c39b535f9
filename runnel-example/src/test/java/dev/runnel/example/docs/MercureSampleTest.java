package dev.runnel.example.docs;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.client.MercurePublisher;
import dev.runnel.client.MercureUpdate;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample of docs/MERCURE.md, {@link MercureSample}: an anonymous subscriber gets what the Java publisher sends. */
class MercureSampleTest {

    private static final String KEY = "a-secret-of-at-least-thirty-two-bytes!!";

    @Test
    void anAnonymousSubscriberOfTheMountedHubGetsAPublishedUpdate() throws Exception {
        RunnelServer server = MercureSample.serverWithMercure(0, KEY);
        try (RawSseClient subscriber = RawSseClient.get(server.uri().resolve("/.well-known/mercure?topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D"))) {
            assertThat(subscriber.status()).isEqualTo(200);
            Await.until(() -> server.engine().openStreams() == 1, "subscribed", Duration.ofSeconds(10));
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                    new JWTClaimsSet.Builder().claim("mercure", Map.of("publish", List.of("*"))).build());
            jwt.sign(new MACSigner(KEY.getBytes(StandardCharsets.UTF_8)));
            String token = jwt.serialize();

            String id = MercurePublisher.builder(server.uri().resolve("/.well-known/mercure")).token(() -> token).build()
                    .publish(MercureUpdate.of("https://example.com/books/1", "{\"title\":\"Dune\"}"));

            assertThat(subscriber.awaitText("\n\n", Duration.ofSeconds(10))).isEqualTo("id: " + id + "\ndata: {\"title\":\"Dune\"}\n\n");
        } finally {
            server.stop();
        }
    }
}
