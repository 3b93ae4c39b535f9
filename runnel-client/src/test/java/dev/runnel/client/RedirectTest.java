package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.RawEventServer.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpClient;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redirects are followed by the source itself, by one policy: with the client the source creates,
 * and with a caller's client that never follows them.
 */
class RedirectTest {

    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10));

    /** The client a source reads with. */
    enum Client {
        /** The source's own ({@code httpClient} not set). */
        OWN,
        /** A caller's client with {@code Redirect.NEVER}. */
        NEVER_FOLLOWS
    }

    private RawEventServer server;
    private HttpClient neverFollows;
    private EventSource source;

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
        neverFollows = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @AfterEach
    void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        neverFollows.shutdownNow();
        neverFollows.awaitTermination(Duration.ofSeconds(5));
        server.close();
    }

    private EventSourceOptions with(Client client, EventSourceOptions options) {
        return client == Client.OWN ? options : options.withHttpClient(neverFollows);
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aRedirectIsFollowedAndEachReconnectKeepsTheLastEventId(Client client) throws Exception {
        server.answer(Answer.status(302).header("Location", "/moved"), Answer.events("id: 4\ndata: a\n\n"),
                Answer.status(307).header("Location", server.uri("/moved-again").toString()),
                Answer.events("data: b\n\n").then(After.HOLD));
        Recorder recorder = new Recorder();
        source = EventSource.connect(server.uri("/events"), with(client, FAST), recorder);
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
        assertThat(server.takeRequest().target()).isEqualTo("/events");
        assertThat(server.takeRequest().target()).isEqualTo("/moved");
        Request reconnect = server.takeRequest();
        assertThat(reconnect.target()).isEqualTo("/events"); // a reconnect starts from the source's URI
        assertThat(reconnect.header("Last-Event-ID")).contains("4");
        Request redirected = server.takeRequest();
        assertThat(redirected.target()).isEqualTo("/moved-again");
        assertThat(redirected.header("Last-Event-ID")).contains("4");
        assertThat(redirected.header("Accept")).contains("text/event-stream");
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void credentialsAreNotSentToAnotherOriginButTheIdAndOtherHeadersAre(Client client) throws Exception {
        try (RawEventServer other = RawEventServer.start()) {
            other.answer(Answer.events("data: b\n\n").then(After.HOLD));
            server.answer(Answer.status(302).header("Location", other.uri("/elsewhere").toString()));
            EventSourceOptions options = with(client, FAST).withLastEventId("9")
                    .withHeader("Authorization", "Bearer secret").withHeader("Cookie", "s=1").withHeader("X-Tenant", "t1");
            Recorder recorder = new Recorder();
            source = EventSource.connect(server.uri("/events"), options, recorder);
            assertThat(recorder.awaitEventData(1)).containsExactly("b");
            Request first = server.takeRequest();
            assertThat(first.header("Authorization")).contains("Bearer secret");
            Request redirected = other.takeRequest();
            assertThat(redirected.header("Authorization")).isEmpty();
            assertThat(redirected.header("Cookie")).isEmpty();
            assertThat(redirected.header("X-Tenant")).contains("t1");
            assertThat(redirected.header("Last-Event-ID")).contains("9");
        }
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void endlessRedirectsEndTheSourceAfterFiveHops(Client client) throws Exception {
        server.answer(Answer.status(302).header("Location", "/events")); // repeated
        Recorder recorder = new Recorder();
        source = EventSource.connect(server.uri("/events"), with(client, FAST), recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.HttpStatus(302));
        assertThat(server.connections()).isEqualTo(6); // the request and five redirects
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aRedirectWithoutLocationEndsTheSourceWithItsStatus(Client client) throws Exception {
        server.answer(Answer.status(302));
        Recorder recorder = new Recorder();
        source = EventSource.connect(server.uri("/events"), with(client, FAST), recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.HttpStatus(302));
        assertThat(recorder.errors).isEmpty(); // ended at once, not after failed attempts
        assertThat(server.connections()).isEqualTo(1);
    }
}
