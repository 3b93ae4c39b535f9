package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.internal.Delivery;
import dev.runnel.client.internal.SpecCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpClient;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of {@link SpecCases}, sent by a raw socket server as crafted bytes (whole, line by
 * line, byte by byte) and read by an {@link EventSource} over HTTP.
 */
class ConformanceTest {

    private static RawEventServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = RawEventServer.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        client.shutdownNow();
        client.awaitTermination(java.time.Duration.ofSeconds(5));
    }

    static Stream<Arguments> casesAndDeliveries() {
        return SpecCases.all().stream().flatMap(c -> Stream.of(Delivery.values()).map(d -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("casesAndDeliveries")
    void readsAsTheStandardSays(SpecCases.Case c, Delivery delivery) throws Exception {
        server.answer(Answer.events(c.input(), delivery, After.FINISH));
        Recorder recorder = new Recorder();
        EventSourceOptions options = EventSourceOptions.DEFAULTS.withReconnect(false).withHttpClient(client);
        try (EventSource source = EventSource.connect(server.uri("/case"), options, recorder)) {
            assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.Ended());
            assertThat(recorder.events).containsExactlyElementsOf(c.events());
            assertThat(recorder.comments).containsExactlyElementsOf(c.comments());
            // no case ends with an id-only block, so the source's id is the last event's
            assertThat(source.lastEventId()).isEqualTo(c.events().getLast().lastEventId());
        }
    }
}
