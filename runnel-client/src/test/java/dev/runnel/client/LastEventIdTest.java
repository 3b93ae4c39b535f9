package dev.runnel.client;

import dev.runnel.client.RawEventServer.After;
import dev.runnel.client.RawEventServer.Answer;
import dev.runnel.client.RawEventServer.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The id a server chooses goes back byte for byte, or not at all (and the listener is told): the
 * JDK client cannot put every id on the wire, and a different id would resume from the wrong place.
 */
class LastEventIdTest {

    private static final EventSourceOptions FAST = EventSourceOptions.DEFAULTS.withRetry(Duration.ofMillis(10));

    private RawEventServer server;
    private EventSource source;

    @BeforeEach
    void start() throws Exception {
        server = RawEventServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        server.close();
    }

    /** Records the ids the source reports it could not send, besides everything else. */
    private static final class IdRecorder extends Recorder {
        final List<String> notSent = new CopyOnWriteArrayList<>();

        @Override
        public void onLastEventIdNotSent(EventSource source, String lastEventId) {
            notSent.add(lastEventId);
            log.add("notSent");
        }
    }

    private static String idField(String id) {
        return "id: " + id + "\ndata: a\n\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "a b", "a\tb", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "x-\u007E"})
    void anIdOfVisibleAsciiIsSentBackByteForByte(String id) throws Exception {
        server.answer(Answer.events(idField(id)), Answer.events("data: b\n\n").then(After.HOLD));
        IdRecorder recorder = new IdRecorder();
        source = EventSource.connect(server.uri("/events"), FAST, recorder);
        server.takeRequest();
        Request reconnect = server.takeRequest();
        assertThat(reconnect.headerBytes("Last-Event-ID")).hasValueSatisfying(
                bytes -> assertThat(bytes).isEqualTo(id.getBytes(StandardCharsets.UTF_8)));
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
        assertThat(recorder.notSent).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u00e9", "\u65e5\u672c", "\uD83D\uDE00", "a\u0001b", "a\u007Fb", "a\u001Fb", "\u00ff",
            " leading", "trailing ", "trailing\t"})
    void anIdThatCannotBeSentExactlyIsNotSentAndTheListenerIsTold(String id) throws Exception {
        server.answer(Answer.events(idField(id)), Answer.events("data: b\n\n").then(After.HOLD));
        IdRecorder recorder = new IdRecorder();
        source = EventSource.connect(server.uri("/events"), FAST, recorder);
        server.takeRequest();
        Request reconnect = server.takeRequest();
        assertThat(reconnect.headerBytes("Last-Event-ID")).isEmpty();
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
        assertThat(recorder.isClosed()).isFalse();
        assertThat(recorder.notSent).containsExactly(id);
        assertThat(recorder.log).containsSubsequence("event:a", "notSent", "open", "event:b");
        assertThat(source.lastEventId()).isEqualTo(id);
        assertThat(recorder.events.get(1).lastEventId()).isEqualTo(id); // the stream's id is kept, as a browser keeps it
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u00e9", "\u00ff", " 5", "5 ", "5\t", "a\u007Fb"})
    void aLastEventIdHeaderInTheOptionsFollowsTheSameRuleAsTheId(String id) {
        assertThatThrownBy(() -> EventSourceOptions.DEFAULTS.withHeader("Last-Event-ID", id))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Last-Event-ID");
        assertThatThrownBy(() -> EventSourceOptions.DEFAULTS.withHeader("last-event-id", id))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Last-Event-ID");
    }

    @Test
    void aLastEventIdHeaderThatCanBeSentIsSentByteForByte() throws Exception {
        server.answer(Answer.events("data: a\n\n").then(After.HOLD));
        IdRecorder recorder = new IdRecorder();
        source = EventSource.connect(server.uri("/events"), FAST.withHeader("last-event-id", "x 7"), recorder);
        assertThat(server.takeRequest().headerBytes("Last-Event-ID")).hasValueSatisfying(
                bytes -> assertThat(bytes).isEqualTo("x 7".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aLastEventIdHeaderIsOnlyTheFirstIdAndAStreamThatClearsTheIdClearsItToo() throws Exception {
        server.answer(Answer.events("id:\ndata: a\n\n"), Answer.events("data: b\n\n").then(After.HOLD));
        IdRecorder recorder = new IdRecorder();
        source = EventSource.connect(server.uri("/events"), FAST.withHeader("Last-Event-ID", "7"), recorder);
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("7");
        assertThat(server.takeRequest().header("Last-Event-ID")).isEmpty(); // as a browser: an empty id sends none
        assertThat(recorder.awaitEventData(2)).containsExactly("a", "b");
        assertThat(source.lastEventId()).isEmpty();
    }

    @Test
    void aLaterIdThatCanBeSentIsSentAgain() throws Exception {
        server.answer(Answer.events(idField("\u00e9")), Answer.events(idField("8")), Answer.events("data: c\n\n").then(After.HOLD));
        IdRecorder recorder = new IdRecorder();
        source = EventSource.connect(server.uri("/events"), FAST, recorder);
        server.takeRequest();
        assertThat(server.takeRequest().headerBytes("Last-Event-ID")).isEmpty();
        assertThat(server.takeRequest().header("Last-Event-ID")).contains("8");
        assertThat(recorder.notSent).containsExactly("\u00e9");
    }

    @Test
    void aListenerThatThrowsWhenToldEndsTheSourceLikeAnyListenerThatThrows() throws Exception {
        server.answer(Answer.events(idField("\u00e9")), Answer.events("data: b\n\n").then(After.HOLD));
        IllegalStateException thrown = new IllegalStateException("refused");
        Recorder recorder = new Recorder() {
            @Override
            public void onLastEventIdNotSent(EventSource source, String lastEventId) {
                throw thrown;
            }
        };
        source = EventSource.connect(server.uri("/events"), FAST, recorder);
        assertThat(recorder.awaitClosed()).isEqualTo(new StreamEnd.Failed(thrown, 0));
        assertThat(recorder.closedCalls).hasValue(1);
        assertThat(server.connections()).isEqualTo(1); // told before the attempt: none was made
    }

    @Test
    void anIteratedSourceAlsoReconnectsWithoutAnIdItCannotSend() throws Exception {
        server.answer(Answer.events(idField("\u65e5\u672c")), Answer.events("data: b\n\n"), Answer.status(204));
        source = EventSource.open(server.uri("/events"), FAST);
        assertThat(source.events().map(MessageEvent::data)).containsExactly("a", "b");
        server.takeRequest();
        assertThat(server.takeRequest().headerBytes("Last-Event-ID")).isEmpty();
        assertThat(source.end()).contains(new StreamEnd.NoContent());
    }

    @Test
    void optionsRefuseAnInitialIdThatCannotBeSentExactly() {
        for (String id : List.of("\u00e9", "\u65e5\u672c", "a\u0001b", "a\u007Fb", " x", "x ")) {
            assertThatThrownBy(() -> FAST.withLastEventId(id)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lastEventId");
        }
        assertThat(FAST.withLastEventId("a b~").lastEventId()).isEqualTo("a b~");
    }

    /**
     * Why: over HTTP/1.1 the JDK client writes header chars 0x80-0xFF as '?' (chars that are
     * UTF-8 bytes as Latin-1 included), so no String makes it send UTF-8. If this starts to fail,
     * a JDK now sends those bytes as they are, and non-ASCII ids could be sent.
     */
    @Test
    void theJdkClientWritesNonAsciiHeaderCharsAsQuestionMarksOverHttp1() throws Exception {
        server.answer(Answer.status(204));
        String utf8AsLatin1 = new String("\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            client.send(HttpRequest.newBuilder(server.uri("/probe")).header("X-Id", utf8AsLatin1).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        assertThat(server.takeRequest().headerBytes("X-Id")).hasValueSatisfying(
                bytes -> assertThat(bytes).isEqualTo(new byte[] {'?', '?'}));
    }
}
