package dev.runnel.jetty;

import dev.runnel.SseEngine;
import dev.runnel.testkit.LiveThreads;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The warm-up: it makes every delivery it announces, leaves nothing behind, and never fails a start. */
class WarmUpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void everySubscriberReadsEveryEventAndNothingIsLeftRunning() throws Exception {
        List<String> readers = LiveThreads.names("runnel-warm-up-reader");
        List<String> pool = LiveThreads.names("runnel-jetty");
        List<String> watchers = LiveThreads.names("runnel-disconnect-watcher");

        WarmUp.Report report = WarmUp.run(8, 50, Duration.ofSeconds(30));

        assertThat(report.failure()).isNull();
        assertThat(report.completed()).isTrue();
        assertThat(report.deliveries()).isEqualTo(8 * 50);
        assertThat(LiveThreads.leftSince(readers, "runnel-warm-up-reader", WAIT)).isEmpty();
        assertThat(LiveThreads.leftSince(pool, "runnel-jetty", WAIT)).isEmpty();
        assertThat(LiveThreads.leftSince(watchers, "runnel-disconnect-watcher", WAIT)).isEmpty();
    }

    @Test
    void aWarmUpOutOfTimeIsReportedNotThrownAndReleasesEverything() throws Exception {
        List<String> readers = LiveThreads.names("runnel-warm-up-reader");
        List<String> pool = LiveThreads.names("runnel-jetty");

        WarmUp.Report report = WarmUp.run(50, 100_000, Duration.ofMillis(300));

        assertThat(report.completed()).isFalse();
        assertThat(report.failure()).contains("time");
        assertThat(report.deliveries()).isLessThan(50L * 100_000);
        assertThat(LiveThreads.leftSince(readers, "runnel-warm-up-reader", WAIT)).isEmpty();
        assertThat(LiveThreads.leftSince(pool, "runnel-jetty", WAIT)).isEmpty();
    }

    @Test
    void aServerBuiltToWarmUpStartsAndServesItsOwnRoutes() throws Exception {
        RunnelServer server = RunnelServer.builder().port(0).warmUp(true).engine(SseEngine.builder().build()).build();
        server.get("/hello", request -> HttpResponse.text(200, "hello"));
        try {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nhello\n");
            }
            // the warm-up's topic and events were on its own engine, never on the application's
            assertThat(server.engine().hub().subscribers("warm-up")).isZero();
        } finally {
            server.stop();
        }
    }

    @Test
    void countsOutsideTheLimitsAreRefusedWithTheRange() {
        assertThatThrownBy(() -> WarmUp.run(0, 10, WAIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 1 to 1000");
        assertThatThrownBy(() -> WarmUp.run(10, 100_001, WAIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 1 to 100000");
        assertThatThrownBy(() -> WarmUp.run(10, 10, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}
