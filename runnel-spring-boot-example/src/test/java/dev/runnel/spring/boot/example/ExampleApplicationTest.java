package dev.runnel.spring.boot.example;

import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example application, started once on a random port (Spring MVC on Tomcat), streamed from with
 * the JDK's HttpClient over HTTP/1.1.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExampleApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ConfigurableApplicationContext app;
    private static HttpClient http;
    private static URI base;

    @BeforeAll
    static void startTheApplication() {
        app = SpringApplication.run(ExampleApplication.class, "--server.port=0");
        base = URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();
    }

    @AfterAll
    static void stopTheApplication() {
        if (app.isActive()) {
            app.close();
        }
        http.close();
    }

    private static HttpResponse<InputStream> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Accept", "text/event-stream").timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads lines until a blank line ends the next event; returns the event's lines, or null at the end of the stream. */
    private static String nextEvent(BufferedReader body) throws Exception {
        StringBuilder event = new StringBuilder();
        for (String line; (line = body.readLine()) != null; ) {
            if (line.isEmpty()) {
                return event.toString();
            }
            event.append(line).append('\n');
        }
        return null;
    }

    private static BufferedReader reader(HttpResponse<InputStream> response) {
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void aControllerMethodStreamsThymeleafFragmentsAndEndsWithTheCloseEvent() throws Exception {
        HttpResponse<InputStream> response = get("/sse/clock?count=3&interval_ms=0");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
        try (BufferedReader body = reader(response)) {
            for (int tick = 1; tick <= 3; tick++) {
                assertThat(nextEvent(body)).matches(
                        "event: clock\ndata: <time id=\"clock\" data-tick=\"" + tick + "\">\\d\\d:\\d\\d(:\\d\\d)?</time>\n");
            }
            assertThat(nextEvent(body)).isEqualTo("event: done\ndata: complete\n");
            assertThat(body.readLine()).isNull();
        }
    }

    @Test
    @Order(2)
    void aBadRequestFromTheControllerIs400WithOneLine() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/sse/clock?count=0")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("count must be from 1 to 10000, got 0\n");
    }

    @Test
    @Order(3)
    void aClientThatLeavesCancelsItsProducerLongBeforeTheNextWrite() throws Exception {
        SseEngine engine = app.getBean(SseEngine.class);
        HttpResponse<InputStream> response = get("/sse/ticker/ada?interval_ms=60000"); // heartbeat 15 s, next tick in 60 s
        try (BufferedReader body = reader(response)) {
            assertThat(nextEvent(body)).isEqualTo("event: tick\ndata: {\"ticker\":\"ada\",\"tick\":1}\n");
            assertThat(engine.openStreams()).isEqualTo(1);
        } // closing the body before its end closes the HTTP/1.1 connection
        long leftAt = System.nanoTime();
        long deadline = leftAt + WAIT.toNanos();
        while (engine.openStreams() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long millis = (System.nanoTime() - leftAt) / 1_000_000;
        System.out.printf("[figure] Spring Boot on Tomcat: stream ended %d ms after the client closed the connection%n", millis);
        assertThat(engine.openStreams()).isZero();
        assertThat(millis).as("noticed without waiting for the 15 s heartbeat").isLessThan(5_000);
    }

    @Test
    @Order(4) // last: it stops the application
    void stoppingTheApplicationEndsOpenStreamsWithoutWaitingForThem() throws Exception {
        HttpResponse<InputStream> response = get("/sse/ticker/bob?interval_ms=60000");
        try (BufferedReader body = reader(response)) {
            assertThat(nextEvent(body)).startsWith("event: tick\n");
            long began = System.nanoTime();
            app.close(); // graceful shutdown would otherwise wait 30 s for this request
            long millis = (System.nanoTime() - began) / 1_000_000;
            System.out.printf("[figure] Spring Boot: application stopped in %d ms with a stream open%n", millis);
            assertThat(millis).isLessThan(10_000);
            assertThat(nextEvent(body)).as("the stream ends without the close event").isNull();
        }
    }
}
