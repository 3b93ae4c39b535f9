package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.RawEventServer.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runnel listen}, run in-process against the raw socket server. */
class ListenTest {

    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10));

    private RawEventServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private int listen(String... args) {
        return Listen.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                FAST, false);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsEventsAsFieldsAndExitsZeroWhenTheServerEndsTheStream() {
        server.answer(Answer.events("data: plain\n\nevent: add\nid: 7\ndata: a\ndata: b\n\n: not shown\n\n"));
        assertThat(listen(server.uri("/s").toString())).isZero();
        assertThat(out()).isEqualTo("data: plain\n\nevent: add\nid: 7\ndata: a\ndata: b\n\n");
        assertThat(err()).isEmpty();
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void jsonPrintsOneObjectPerLineWithMessageAndTheLastEventId() {
        server.answer(Answer.events("data: one\n\nid: 5\nevent: tick\ndata: \"two\"\ndata: \\ line\n\ndata: three\n\n"));
        assertThat(listen(server.uri("/s").toString(), "--json")).isZero();
        assertThat(out()).isEqualTo("""
                {"event": "message", "id": "", "data": "one"}
                {"event": "tick", "id": "5", "data": "\\"two\\"\\n\\\\ line"}
                {"event": "message", "id": "5", "data": "three"}
                """);
    }

    @Test
    void commentsArePrintedOnlyWhenAskedFor() {
        server.answer(Answer.events(": heartbeat\ndata: x\n\n"));
        assertThat(listen(server.uri("/s").toString(), "--comments")).isZero();
        assertThat(out()).isEqualTo(": heartbeat\ndata: x\n\n");
        out.reset();
        server.answer(Answer.events(": heartbeat\ndata: x\n\n"));
        assertThat(listen(server.uri("/s").toString(), "--comments", "--json")).isZero();
        assertThat(out()).isEqualTo("{\"comment\": \"heartbeat\"}\n{\"event\": \"message\", \"id\": \"\", \"data\": \"x\"}\n");
    }

    @Test
    void stopsAfterMaxEvents() throws Exception {
        server.answer(Answer.events("data: 1\n\ndata: 2\n\ndata: 3\n\n").then(After.HOLD));
        assertThat(listen(server.uri("/s").toString(), "--max-events", "2", "--json")).isZero();
        assertThat(out().lines()).hasSize(2);
        server.awaitClientClose(Recorder.WAIT);
    }

    @Test
    void sendsHeadersAndTheLastEventId() throws Exception {
        server.answer(Answer.events("data: x\n\n"));
        assertThat(listen("--header", "Authorization: Bearer abc", "--last-event-id", "12", server.uri("/s").toString())).isZero();
        Request request = server.takeRequest();
        assertThat(request.header("Authorization")).contains("Bearer abc");
        assertThat(request.header("Last-Event-ID")).contains("12");
    }

    @Test
    void withReconnectItFollowsTheStreamAcrossConnectionsUntil204() throws Exception {
        server.answer(Answer.events("id: 1\ndata: a\n\n"), Answer.events("data: b\n\n"), Answer.status(204));
        assertThat(listen(server.uri("/s").toString(), "--reconnect", "--json")).isZero();
        assertThat(out()).isEqualTo("{\"event\": \"message\", \"id\": \"1\", \"data\": \"a\"}\n"
                + "{\"event\": \"message\", \"id\": \"1\", \"data\": \"b\"}\n");
        assertThat(err()).isEqualTo("runnel listen: the server answered 204 No Content: it asks the client not to reconnect\n");
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("1");
    }

    @Test
    void anIdThatCannotBeSentIsReportedOnOneLineAndLeftOut() throws Exception {
        server.answer(Answer.events("id: caf\u00e9\ndata: a\n\n"), Answer.events("data: b\n\n"), Answer.status(204));
        assertThat(listen(server.uri("/s").toString(), "--reconnect")).isZero();
        assertThat(err()).startsWith("runnel listen: the last event id \"caf\\u00E9\" cannot be sent exactly"
                + " (only visible ASCII can be); reconnecting without Last-Event-ID\n");
        server.takeRequest();
        assertThat(server.takeRequest().header("Last-Event-ID")).isEmpty();
    }

    @Test
    void aStatusOtherThan200ExitsOneWithAOneLineReason() {
        server.answer(Answer.status(404));
        assertThat(listen(server.uri("/s").toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("runnel listen: the server answered HTTP 404 (an event stream needs 200)\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void aRefusedConnectionExitsOneWithAOneLineReason() throws Exception {
        int port;
        try (ServerSocket unused = new ServerSocket(0)) {
            port = unused.getLocalPort();
        }
        assertThat(listen("http://127.0.0.1:" + port + "/s")).isEqualTo(1);
        assertThat(err()).isEqualTo("runnel listen: connection failed: ConnectException: cannot connect to 127.0.0.1:" + port + "\n");
    }

    @Test
    void aBrokenStreamExitsOne() {
        server.answer(Answer.events("data: a\n\n").then(After.ABORT));
        assertThat(listen(server.uri("/s").toString())).isEqualTo(1);
        assertThat(out()).isEqualTo("data: a\n\n");
        assertThat(err().lines()).hasSize(1).first().asString().startsWith("runnel listen: connection failed: ");
    }

    @Test
    void badArgumentsExitTwoWithTheUsage() {
        assertThat(listen()).isEqualTo(2);
        assertThat(err()).isEqualTo("runnel listen: a URL is needed\n" + Listen.USAGE + "\n");
        err.reset();
        assertThat(listen("http://x/", "--max-events", "0")).isEqualTo(2);
        assertThat(err()).startsWith("runnel listen: --max-events needs a whole number >= 1, got '0'\n");
        err.reset();
        assertThat(listen("http://x/", "--header", "nocolon")).isEqualTo(2);
        assertThat(err()).startsWith("runnel listen: --header needs 'Name: value'");
        err.reset();
        assertThat(listen("http://x/", "--frobnicate")).isEqualTo(2);
        assertThat(err()).startsWith("runnel listen: unknown option --frobnicate\n");
        err.reset();
        assertThat(listen("ftp://x/")).isEqualTo(2);
        assertThat(err()).startsWith("runnel listen: an http:// or https:// URL with a host is needed");
        err.reset();
        assertThat(listen("http://x/", "--header", "Host: y")).isEqualTo(2);
        assertThat(err()).startsWith("runnel listen: EventSourceOptions.headers: cannot send header \"Host\"");
    }

    @Test
    void helpPrintsTheUsage() {
        assertThat(listen("--help")).isZero();
        assertThat(out()).isEqualTo(Listen.USAGE + "\n");
    }

    @Test
    void jsonStringsEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(Listen.quote("")).isEqualTo("\"\"");
        assertThat(Listen.quote("plain caf\u00e9 \u2713 \uD83D\uDE00")).isEqualTo("\"plain caf\u00e9 \u2713 \uD83D\uDE00\"");
        assertThat(Listen.quote("\"\\/")).isEqualTo("\"\\\"\\\\/\"");
        assertThat(Listen.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
        assertThat(Listen.quote("\u0000\u001f\u007f")).isEqualTo("\"\\u0000\\u001f\u007f\"");
    }
}
