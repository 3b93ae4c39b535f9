package dev.runnel.example;

import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo's documented routes, over real loopback HTTP with the JDK client and curl. */
class DemoServerTest {

    private static RunnelServer production;
    private static RunnelServer debug;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        production = DemoServer.create(new DemoOptions("127.0.0.1", 0, false)).start();
        debug = DemoServer.create(new DemoOptions("127.0.0.1", 0, true)).start();
    }

    @AfterAll
    static void stop() {
        production.stop();
        debug.stop();
    }

    private static HttpResponse<String> get(RunnelServer server, String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(20));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String stream(RunnelServer server, String path) throws Exception {
        HttpResponse<String> response = get(server, path, "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        return response.body();
    }

    @Test
    void theDashboardStreamIsSentCompressedToClientsThatAcceptIt() throws Exception {
        String expected = dev.runnel.compress.ContentCodings.find("zstd").isPresent() ? "zstd" : "gzip";
        HttpResponse<java.io.InputStream> response = HTTP.send(HttpRequest.newBuilder(production.uri().resolve("/sse/dashboard"))
                .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip, deflate, br, zstd").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = response.body()) {
            assertThat(response.headers().firstValue("Content-Encoding")).hasValue(expected);
            assertThat(response.headers().firstValue("Vary")).hasValue("Accept-Encoding");
            if (expected.equals("gzip")) {
                try (dev.runnel.testkit.DecodedStream stream = dev.runnel.testkit.DecodedStream.read(body, "gzip")) {
                    stream.awaitText("event: clock", Duration.ofSeconds(20)); // the first second's fragments, decoded as they come
                    stream.awaitText("event: ticker", Duration.ofSeconds(20));
                }
            }
        }
        HttpResponse<java.io.InputStream> plain = HTTP.send(HttpRequest.newBuilder(production.uri().resolve("/sse/dashboard"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = plain.body()) {
            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(new String(body.readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("event:");
        }
    }

    @Test
    void curlPrintsThreeTicksWithIdsThenTheDoneEvent() throws Exception {
        Process curl = new ProcessBuilder("curl", "-sN", production.uri() + "/sse/ticks?count=3&interval_ms=10")
                .redirectErrorStream(true).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.exitValue()).as("curl exit code; output:\n" + out).isZero();
        assertThat(out).isEqualTo("id: 1\ndata: tick 1\n\nid: 2\ndata: tick 2\n\nid: 3\ndata: tick 3\n\n"
                + "event: done\ndata: complete\n\n");
    }

    @Test
    void ticksDefaultToTenEvents() throws Exception {
        String body = stream(production, "/sse/ticks?interval_ms=0");
        assertThat(body).contains("id: 10\ndata: tick 10\n\n").doesNotContain("tick 11").endsWith("event: done\ndata: complete\n\n");
    }

    @Test
    void outOfRangeAndMalformedQueryValuesAre400WithOneLine() throws Exception {
        for (String path : new String[]{"/sse/ticks?count=0", "/sse/ticks?count=100001", "/sse/ticks?count=abc",
                "/sse/ticks?interval_ms=-1", "/sse/ticks?interval_ms=60001", "/sse/idle?heartbeat_s=0",
                "/sse/idle?heartbeat_s=301", "/sse/idle?heartbeat_s=1.5"}) {
            HttpResponse<String> response = get(production, path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.body()).as(path).endsWith("\n").doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(response.body().strip().lines().count()).as(path).isEqualTo(1);
        }
        assertThat(get(production, "/sse/ticks?count=abc", null).body())
                .isEqualTo("count must be an integer from 1 to 100000, got 'abc'\n");
        // a malformed percent-escape: the JDK client refuses to send it, curl does not
        Process curl = new ProcessBuilder("curl", "-s", "-w", "\n%{http_code}", production.uri() + "/sse/ticks?count=%zz")
                .redirectErrorStream(true).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).endsWith("\n400").doesNotContain("Exception");
    }

    @Test
    void acceptThatExcludesEventStreamIs406() throws Exception {
        assertThat(get(production, "/sse/ticks?count=1", "application/json").statusCode()).isEqualTo(406);
        assertThat(get(production, "/sse/ticks?count=1&interval_ms=0", "*/*").statusCode()).isEqualTo(200);
    }

    @Test
    void idleStreamSendsOnlyHeartbeats() throws Exception {
        try (var client = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/idle?heartbeat_s=1"))) {
            String text = client.awaitText(": heartbeat\n\n: heartbeat\n\n", Duration.ofSeconds(5));
            assertThat(text).isEqualTo(": heartbeat\n\n: heartbeat\n\n");
        }
    }

    @Test
    void fragmentsRouteSendsTargetedAndUntargetedFragmentsAndJson() throws Exception {
        assertThat(stream(production, "/sse/fragments")).isEqualTo(
                "event: greeting\ndata: <p>Hello, <strong>Runnel</strong>!</p>\n\n"
                        + "event: status\ndata: <span class=\"status\">all systems go</span>\n\n"
                        + "event: update\ndata: <p class=\"note\">untargeted: the stream&#39;s default event name</p>\n\n"
                        + "event: update\ndata: {\"kind\":\"json\",\"items\":[1,2,3]}\n\n"
                        + "event: done\ndata: complete\n\n");
    }

    @Test
    void brokenRouteInProductionSendsAGenericErrorBetweenGoodEvents() throws Exception {
        assertThat(stream(production, "/sse/broken")).isEqualTo(
                "data: event 1 is fine\n\nevent: error\ndata: Event rendering failed\n\ndata: event 3 is fine\n\n"
                        + "event: done\ndata: complete\n\n");
    }

    @Test
    void brokenRouteInDebugShowsTheBlockErrorUnderItsTarget() throws Exception {
        String body = stream(debug, "/sse/broken");
        assertThat(body).startsWith("data: event 1 is fine\n\nevent: panel\ndata: <div class=\"runnel-block-error\" data-block=\"no_such_block\">"
                + "<strong>RenderException</strong>: ");
        assertThat(body).contains("no_such_block").contains("fragments").contains("greeting");
        assertThat(body).endsWith("data: event 3 is fine\n\nevent: done\ndata: complete\n\n");
    }

    @Test
    void failRouteSendsTwoEventsThenAnInternalErrorThenDone() throws Exception {
        assertThat(stream(production, "/sse/fail")).isEqualTo(
                "data: event 1\n\ndata: event 2\n\nevent: error\ndata: Internal server error\n\nevent: done\ndata: complete\n\n");
        assertThat(stream(debug, "/sse/fail")).contains("data: java.lang.IllegalStateException: the producer failed on purpose\n");
    }

    @Test
    void retryRouteStartsWithTheRetryMetaEvent() throws Exception {
        assertThat(stream(production, "/sse/retry")).isEqualTo(
                "event: runnel:meta\nretry: 2500\ndata: retry\n\ndata: a\n\ndata: b\n\ndata: c\n\nevent: done\ndata: complete\n\n");
    }

    @Test
    void goneRouteAnswers204() throws Exception {
        HttpResponse<String> response = get(production, "/sse/gone", "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void homePageLoadsHtmxAndTheSseExtensionFromOurOwnServer() throws Exception {
        HttpResponse<String> page = get(production, "/", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"clock\"").contains("sse-swap=\"clock\"").contains("sse-connect=\"/sse/dashboard\"");
        assertThat(page.body()).doesNotContain("src=\"http").doesNotContain("src=\"//");
        for (String script : page.body().split("<script src=\"")) {
            if (!script.startsWith("/")) {
                continue;
            }
            String path = script.substring(0, script.indexOf('"'));
            HttpResponse<String> js = get(production, path, null);
            assertThat(js.statusCode()).as(path).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("text/javascript");
            assertThat(js.body()).as(path).contains("htmx");
        }
        assertThat(page.body()).contains("/webjars/htmx.org/2.0.").contains("/webjars/htmx-ext-sse/2.2.");
    }

    @Test
    void dashboardStreamsTheClockFragmentByEventName() throws Exception {
        try (var client = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/dashboard"))) {
            String text = client.awaitText("event: stats\n", Duration.ofSeconds(5));
            assertThat(text).startsWith("event: clock\ndata: <time class=\"big\">");
            assertThat(text).contains("event: ticker\ndata: <div class=\"big\">");
        }
    }

    @Test
    void staticFilesRefusePathTraversal() throws Exception {
        assertThat(get(production, "/static/../versions.properties", null).statusCode()).isEqualTo(404);
        assertThat(get(production, "/static/runnel.css", null).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> post(RunnelServer server, String path, String form, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void publishRouteReachesTopicSubscribersAndAnswersIdAndCount() throws Exception {
        try (var client = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/topic/news"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (production.engine().hub().subscribers("news") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            HttpResponse<String> answer = post(production, "/publish/news", "data=hello%0Aworld&event=headline", null);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(answer.body()).matches("\\{\"id\":\"[0-9a-z]+-\\d+\",\"subscribers\":1}");
            String id = answer.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
            assertThat(client.awaitText("\n\n", Duration.ofSeconds(10)))
                    .isEqualTo("event: headline\nid: " + id + "\ndata: hello\ndata: world\n\n");
        }
    }

    @Test
    void badPublishRequestsAre400WithOneLine() throws Exception {
        assertThat(post(production, "/publish/news", "event=x", null).body()).isEqualTo("form field 'data' is required\n");
        assertThat(post(production, "/publish/news", "data=x&event=a%0Ab", null).statusCode()).isEqualTo(400);
        assertThat(post(production, "/publish/bad%20topic", "data=x", null).statusCode()).isEqualTo(400);
        assertThat(get(production, "/sse/topic/bad%20topic", "text/event-stream").statusCode()).isEqualTo(400);
        assertThat(post(production, "/chat", "message=", null).statusCode()).isEqualTo(400);
    }

    @Test
    void chatMessagesAreEscapedOnce() throws Exception {
        try (var client = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/topic/chat"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (production.engine().hub().subscribers("chat") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(post(production, "/chat", "name=eve&message=%3Cscript%3Ealert(1)%3C%2Fscript%3E", null).statusCode()).isEqualTo(200);
            String text = client.awaitText("\n\n", Duration.ofSeconds(10));
            assertThat(text).startsWith("event: chat\nid: ").contains("<strong>eve</strong>: &lt;script&gt;alert(1)&lt;/script&gt;</li>")
                    .doesNotContain("<script>");
        }
    }

    @Test
    void theHomePageConnectsTheChatFromTheNewestMessageItRendered() throws Exception {
        String page = get(production, "/", "text/html").body();
        assertThat(page).contains("Welcome! Messages sent here reach every open page.");
        String connect = page.replaceAll("(?s).*sse-connect=\"(/sse/topic/chat\\?lastEventId=[^\"]+)\".*", "$1");
        assertThat(connect).startsWith("/sse/topic/chat?lastEventId=");
        // a message sent after the page was rendered but before its stream connected is replayed
        assertThat(post(production, "/chat", "name=late&message=between+render+and+connect", null).statusCode()).isEqualTo(200);
        try (var client = dev.runnel.testkit.RawSseClient.get(production.uri().resolve(connect))) {
            assertThat(client.awaitText("\n\n", Duration.ofSeconds(10))).contains("<strong>late</strong>: between render and connect");
        }
    }

    @Test
    void withAPublishTokenPublishingNeedsIt() throws Exception {
        RunnelServer guarded = DemoServer.create(new DemoOptions("127.0.0.1", 0, false).withPublishToken("s3cret")).start();
        try {
            assertThat(post(guarded, "/publish/news", "data=x", null).statusCode()).isEqualTo(403);
            assertThat(post(guarded, "/publish/news", "data=x", "Bearer wrong").statusCode()).isEqualTo(403);
            assertThat(post(guarded, "/chat", "message=hi", null).statusCode()).isEqualTo(403);
            assertThat(post(guarded, "/publish/news", "data=x", "Bearer s3cret").statusCode()).isEqualTo(200);
            assertThat(get(guarded, "/", "text/html").body()).contains("only reads").doesNotContain("hx-post=\"/chat\"");
        } finally {
            guarded.stop();
        }
    }

    @Test
    void aNonLoopbackHostWithoutATokenRefusesToStart() {
        assertThatThrownBy(() -> DemoOptions.parse("--host", "0.0.0.0").requireSafePublishing())
                .hasMessageContaining("refusing to start").hasMessageContaining("--publish-token");
        assertThat(DemoOptions.parse("--host", "0.0.0.0", "--publish-token", "t").requireSafePublishing().publishToken()).isEqualTo("t");
        assertThat(DemoOptions.parse("--host", "127.0.0.1").requireSafePublishing().loopbackOnly()).isTrue();
    }

    @Test
    void theDialectRouteFramesTheSameFragmentForEachLibrary() throws Exception {
        try (var htmx4 = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/dialects/clock"),
                java.util.Map.of("HX-Request", "true", "HX-Request-Type", "partial"))) {
            assertThat(htmx4.awaitText("\n\n", Duration.ofSeconds(10)))
                    .startsWith("data: <hx-partial hx-target=\"#clock\"><span><time class=\"big\">").contains("sent as HTMX4");
        }
        try (var datastar = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/dialects/clock?dialect=datastar-beta"))) {
            String text = datastar.awaitText("datastar-merge-signals", Duration.ofSeconds(10));
            assertThat(text).startsWith("event: datastar-merge-fragments\ndata: selector #clock\ndata: mergeMode inner\ndata: fragments <span>");
        }
        try (var datastar1 = dev.runnel.testkit.RawSseClient.get(production.uri().resolve("/sse/dialects/clock"),
                java.util.Map.of("Datastar-Request", "true"))) {
            assertThat(datastar1.awaitText("\n\n", Duration.ofSeconds(10))).startsWith("event: datastar-patch-elements\n");
        }
        assertThat(get(production, "/sse/dialects/clock?dialect=vue", null).body())
                .isEqualTo("dialect must be htmx2, htmx4, datastar or datastar-beta, got 'vue'\n");
    }

    @Test
    void theDialectPagesLoadTheirLibrariesFromOurOwnServer() throws Exception {
        for (String page : new String[]{"/htmx4", "/datastar"}) {
            String html = get(production, page, "text/html").body();
            assertThat(html).doesNotContain("src=\"http").doesNotContain("src=\"//");
            for (String script : html.split("src=\"")) {
                if (script.startsWith("/npm/")) {
                    String path = script.substring(0, script.indexOf('"'));
                    assertThat(get(production, path, null).statusCode()).as(path).isEqualTo(200);
                }
            }
            assertThat(html).as(page + " has its script (npm ran in this build)").contains("src=\"/npm/");
        }
    }

    @Test
    void optionsAreParsedAndBadOnesNamed() {
        assertThat(DemoOptions.parse()).isEqualTo(DemoOptions.defaults());
        assertThat(DemoOptions.parse("--port", "9000", "--host", "0.0.0.0", "--debug"))
                .isEqualTo(new DemoOptions("0.0.0.0", 9000, true));
        assertThatThrownBy(() -> DemoOptions.parse("--port", "x")).hasMessageContaining("--port must be a number");
        assertThatThrownBy(() -> DemoOptions.parse("--port", "70000")).hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> DemoOptions.parse("--bogus")).hasMessageContaining("unknown option '--bogus'");
        assertThatThrownBy(() -> DemoOptions.parse("--host")).hasMessageContaining("--host needs a value");
        assertThat(DemoOptions.parse("--tls", "--max-stream-age", "30")).isEqualTo(new DemoOptions("127.0.0.1", 8080, false, null, true, 30));
        assertThatThrownBy(() -> DemoOptions.parse("--max-stream-age", "0")).hasMessageContaining("1 to 86400");
        assertThat(DemoOptions.parse().warmUp()).as("the demo warms up unless told not to").isTrue();
        assertThat(DemoOptions.parse("--no-warm-up").warmUp()).isFalse();
        assertThat(DemoOptions.parse("--no-warm-up")).isEqualTo(DemoOptions.defaults().withWarmUp(false));
    }

    static {
        // keep test output readable: the demo logs every request failure it is asked to provoke
        java.util.logging.Logger.getLogger("dev.runnel").setLevel(java.util.logging.Level.OFF);
    }

}
