package dev.runnel.spring.boot.secured;

import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.test.LiveStream;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import dev.runnel.testkit.Await;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Runnel in Actuator, asked over HTTP as a monitoring system would: health, readiness, info and Prometheus. */
@RunnelTest(classes = SecuredApp.class, properties = {
        "server.address=127.0.0.1",
        "management.endpoints.web.exposure.include=health,info,prometheus",
        "management.endpoint.health.show-details=always",
        "management.endpoint.health.show-components=always"})
class ActuatorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    RunnelTestClient runnel;
    @Autowired
    Hub hub;

    private HttpResponse<String> get(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(runnel.uri(path)).timeout(WAIT)
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("root:root-pw".getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void healthHasTheHubWithItsModeAndOpenStreams() throws Exception {
        HttpResponse<String> health = get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body().replace(" ", ""))
                .contains("\"runnel\":{\"details\":{\"hub\":\"memory\",\"openStreams\":0},\"status\":\"UP\"}");
    }

    @Test
    void readinessIncludesTheHub() throws Exception {
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"runnel\"").contains("\"readinessState\"");
    }

    @Test
    void infoHasVersionHubModeAndOpenStreams() throws Exception {
        try (LiveStream feed = runnel.connect("/sse/activity")) {
            Await.until(() -> hub.subscribers("activity") == 1, "the subscription", WAIT);

            String info = get("/actuator/info").body().replace(" ", "");

            assertThat(info).contains("\"runnel\":{").contains("\"version\":\"0.1.0-SNAPSHOT\"")
                    .contains("\"hub\":\"memory\"").contains("\"openStreams\":1");
        }
    }

    @Test
    void runnelsMetersAreInPrometheus() throws Exception {
        assertThat(runnel.withBasicAuth("ada", "ada-pw").read("/sse/me").data()).hasSize(2);

        String scrape = get("/actuator/prometheus").body();

        assertThat(scrape).contains("runnel_streams_open").contains("runnel_events_written_total")
                .contains("runnel_streams_ended_total");
    }
}
