package dev.runnel.docs.spring;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The Spring sample of docs/SPRING-AND-SERVLETS.md, run in Spring Boot on Tomcat on a free port and asked over real HTTP. */
class ClockControllerSampleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static ConfigurableApplicationContext app;
    private static HttpClient http;
    private static URI base;

    @BeforeAll
    static void start() {
        // Spring Security is on this module's class path: its default chain, with a known user
        app = SpringApplication.run(SampleApplication.class, "--server.port=0",
                "--spring.security.user.name=docs", "--spring.security.user.password=docs-pw");
        base = URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
        http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    }

    @AfterAll
    static void stop() {
        app.close();
        http.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).header("Accept", "text/event-stream").timeout(WAIT)
                        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("docs:docs-pw".getBytes()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theControllerMethodStreamsClockFragmentsByEventNameThenTheCloseEvent() throws Exception {
        HttpResponse<String> response = get("/sse/clock?count=2");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.body()).matches("event: clock\ndata: <time id=\"clock\" data-tick=\"1\">\\d\\d:\\d\\d(:\\d\\d)?</time>\n\n"
                + "event: clock\ndata: <time id=\"clock\" data-tick=\"2\">\\d\\d:\\d\\d(:\\d\\d)?</time>\n\n"
                + "event: done\ndata: complete\n\n");
    }

    @Test
    void aCountOutOfRangeIsA400WithTheOneLineMessage() throws Exception {
        HttpResponse<String> response = get("/sse/clock?count=0");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("count must be from 1 to 10000, got 0\n");
    }
}
