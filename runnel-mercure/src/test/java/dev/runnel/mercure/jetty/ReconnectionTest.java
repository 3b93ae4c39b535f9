package dev.runnel.mercure.jetty;

import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The draft's "Reconnection, State Reconciliation and Event Sourcing" section, over HTTP. */
class ReconnectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOPIC = "https://example.com/books/1";
    private MercureFixture hub;

    @BeforeEach
    void start() {
        hub = MercureFixture.start(o -> o.anonymous(true));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private void publishThree() throws Exception {
        hub.publishOk("topic", TOPIC, "data", "a", "id", "urn:a");
        hub.publishOk("topic", TOPIC, "data", "b", "id", "urn:b");
        hub.publishOk("topic", TOPIC, "data", "c", "id", "urn:c");
    }

    @Test
    void withoutALastEventIdTheResponseHasNoLastEventIdHeaderAndOnlyLiveUpdates() throws Exception {
        publishThree();
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", TOPIC)) {
            assertThat(sub.headers()).doesNotContainKey("last-event-id");
            hub.publishOk("topic", TOPIC, "data", "live", "id", "urn:live");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("live");
        }
    }

    @Test
    void aKnownIdInTheHeaderIsEchoedAndTheUpdatesAfterItFollow() throws Exception {
        publishThree();
        try (RawSseClient sub = hub.subscribe(Map.of("Last-Event-ID", "urn:a"), "topic", TOPIC)) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("urn:a");
            assertThat(sub.awaitEvents(2, WAIT)).extracting(WireEvents.Event::id).containsExactly("urn:b", "urn:c");
        }
    }

    @Test
    void theQueryParameterWorksAsTheHeaderDoes() throws Exception {
        publishThree();
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", TOPIC, "lastEventID", "urn:b")) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("urn:b");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::id).containsExactly("urn:c");
        }
    }

    @Test
    void theHeaderTakesPrecedenceOverTheQueryParameter() throws Exception {
        publishThree();
        try (RawSseClient sub = hub.subscribe(Map.of("Last-Event-ID", "urn:b"), "topic", TOPIC, "lastEventID", "urn:a")) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("urn:b");
            hub.publishOk("topic", TOPIC, "data", "d", "id", "urn:d");
            assertThat(sub.awaitEvents(2, WAIT)).extracting(WireEvents.Event::id).containsExactly("urn:c", "urn:d");
        }
    }

    @Test
    void earliestSendsTheWholeHistoryAndAnswersEarliest() throws Exception {
        publishThree();
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", TOPIC, "lastEventID", "earliest")) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("earliest");
            assertThat(sub.awaitEvents(3, WAIT)).extracting(WireEvents.Event::data).containsExactly("a", "b", "c");
        }
    }

    @Test
    void earliestOnAnEmptyHistoryAnswersEarliest() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of("Last-Event-ID", "earliest"), "topic", TOPIC)) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("earliest");
        }
    }

    @Test
    void anUnknownIdAnswersEarliestSendsNoHistoryThenLiveUpdates() throws Exception {
        publishThree();
        try (RawSseClient sub = hub.subscribe(Map.of("Last-Event-ID", "urn:never-published"), "topic", TOPIC)) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("earliest");
            hub.publishOk("topic", TOPIC, "data", "live", "id", "urn:live");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("live");
            assertThat(sub.text()).doesNotContain("runnel:reset");
        }
    }

    @Test
    void theIdOfAPrivateUpdateTheSubscriberCouldNotReceiveIsNeverConfirmed() throws Exception {
        hub.publishOk("topic", TOPIC, "data", "secret", "private", "on", "id", "urn:secret");
        hub.publishOk("topic", TOPIC, "data", "public", "id", "urn:public");
        try (RawSseClient sub = hub.subscribe(Map.of("Last-Event-ID", "urn:secret"), "topic", TOPIC)) {
            assertThat(sub.header("Last-Event-ID")).isEqualTo("earliest");
        }
    }

    @Test
    void everyUpdateIsSentWithAnIdSoClientsCanResume() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", TOPIC)) {
            String made = hub.publishOk("topic", TOPIC, "data", "no id given");
            hub.publishOk("topic", TOPIC, "data", "id given", "id", "https://example.com/revisions/7");
            assertThat(sub.awaitEvents(2, WAIT)).extracting(WireEvents.Event::id).containsExactly(made, "https://example.com/revisions/7");
        }
    }

    @Test
    void aReconnectionResumesAfterTheLastEventReceived() throws Exception {
        String last;
        try (RawSseClient first = hub.subscribe(Map.of(), "topic", TOPIC)) {
            hub.publishOk("topic", TOPIC, "data", "seen", "id", "urn:seen");
            last = first.awaitEvents(1, WAIT).getFirst().id();
        }
        hub.publishOk("topic", TOPIC, "data", "missed", "id", "urn:missed");
        try (RawSseClient again = hub.subscribe(Map.of("Last-Event-ID", last), "topic", TOPIC)) {
            assertThat(again.header("Last-Event-ID")).isEqualTo("urn:seen");
            assertThat(again.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("missed");
        }
    }

    @Test
    void anEmptyOrOddLastEventIdIsUnknownNotAnError() throws Exception {
        publishThree();
        for (String odd : new String[]{"", "   ", "\u00e9t\u00e9-\ud83d\ude00", "x".repeat(3000)}) {
            try (RawSseClient sub = hub.subscribe(Map.of(), "topic", TOPIC, "lastEventID", odd)) {
                assertThat(sub.status()).as("lastEventID=%s", odd).isEqualTo(200);
                assertThat(sub.header("Last-Event-ID")).isEqualTo("earliest");
            }
        }
    }

    @Test
    void aKnownNonAsciiIdIsEchoedInTheHeaderAsUtf8() throws Exception {
        // ids are IRIs: a publisher may give "urn:café:中"; the header must name it as its SSE id does (UTF-8)
        String id = "urn:caf\u00e9:\u4e2d";
        hub.publishOk("topic", TOPIC, "data", "a", "id", id);
        hub.publishOk("topic", TOPIC, "data", "b", "id", "urn:b");
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", TOPIC, "lastEventID", id)) {
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::id).containsExactly("urn:b");
            String header = sub.header("Last-Event-ID"); // the raw bytes, one char each
            assertThat(new String(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(id);
        }
    }

    @Test
    void aNonAsciiIdInTheLastEventIdHeaderResumesAfterIt() throws Exception {
        // a browser's EventSource sends its last id back in the header as UTF-8
        String id = "urn:caf\u00e9:\u4e2d";
        hub.publishOk("topic", TOPIC, "data", "a", "id", id);
        hub.publishOk("topic", TOPIC, "data", "b", "id", "urn:b");
        try (RawSseClient sub = hub.subscribe(Map.of("Last-Event-ID", id), "topic", TOPIC)) {
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::id).containsExactly("urn:b");
            String header = sub.header("Last-Event-ID");
            assertThat(new String(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(id);
        }
    }
}
