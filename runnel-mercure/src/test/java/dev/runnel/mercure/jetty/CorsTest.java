package dev.runnel.mercure.jetty;

import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.runnel.mercure.jetty.MercureFixture.publisher;
import static dev.runnel.mercure.jetty.MercureFixture.subscriber;
import static org.assertj.core.api.Assertions.assertThat;

/** Cross-origin subscribers (with credentials: the cookie) and publishers, each with their own origins. */
class CorsTest {

    private static final String APP = "https://app.example.com";
    private static final String ADMIN = "https://admin.example.com";
    private MercureFixture hub;

    @BeforeEach
    void start() {
        hub = MercureFixture.start(o -> o.corsOrigins(List.of(APP)).publisherCorsOrigins(List.of(ADMIN)));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HttpResponse<String> preflight(String origin, String method) throws Exception {
        return hub.http.send(HttpRequest.newBuilder(hub.hubUri()).timeout(Duration.ofSeconds(10))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "authorization, last-event-id").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSubscribersOriginGetsAPreflightForGetWithCredentials() throws Exception {
        HttpResponse<String> response = preflight(APP, "GET");
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("authorization").contains("last-event-id");
    }

    @Test
    void aPublishersOriginGetsAPreflightForPost() throws Exception {
        HttpResponse<String> response = preflight(ADMIN, "POST");
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ADMIN);
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");
    }

    @Test
    void anyOtherOriginIsRefused() throws Exception {
        HttpResponse<String> response = preflight("https://evil.example", "POST");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aSubscriptionFromTheSubscribersOriginMayBeReadWithCredentials() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of("Origin", APP, "Cookie", "mercureAuthorization=" + subscriber("*")), "topic", "t")) {
            assertThat(sub.status()).isEqualTo(200);
            assertThat(sub.header("Access-Control-Allow-Origin")).isEqualTo(APP);
            assertThat(sub.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        }
        try (RawSseClient sub = hub.subscribe(Map.of("Origin", ADMIN, "Authorization", "Bearer " + subscriber("*")), "topic", "t")) {
            assertThat(sub.headers()).doesNotContainKey("access-control-allow-origin");
        }
    }

    @Test
    void aPublishFromThePublishersOriginMayBeRead() throws Exception {
        HttpResponse<String> allowed = hub.post(Map.of("Origin", ADMIN, "Authorization", "Bearer " + publisher("*")),
                MercureFixture.form("topic", "t", "data", "x"));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ADMIN);
        HttpResponse<String> other = hub.post(Map.of("Origin", APP, "Authorization", "Bearer " + publisher("*")),
                MercureFixture.form("topic", "t", "data", "x"));
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aWildcardAllowsAnyOriginButEchoesIt() throws Exception {
        hub.close();
        hub = MercureFixture.start(o -> o.corsOrigins(List.of("*")));
        HttpResponse<String> response = preflight("https://anywhere.example", "GET");
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).as("credentials forbid *").hasValue("https://anywhere.example");
    }
}
