package dev.runnel.mercure.jetty;

import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.runnel.mercure.jetty.MercureFixture.publisher;
import static dev.runnel.mercure.jetty.MercureFixture.subscriber;
import static org.assertj.core.api.Assertions.assertThat;

/** The draft's "Publication" section, over HTTP. */
class PublicationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private MercureFixture hub;

    @BeforeEach
    void start() {
        hub = MercureFixture.start(o -> o.anonymous(true));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void aPublishIsAnswered200WithThePublishersIdAsPlainText() throws Exception {
        HttpResponse<String> response = hub.publish(publisher("*"),
                "topic", "https://example.com/books/1", "data", "{\"title\":\"Dune\"}", "id", "urn:uuid:5e94c686-2c0b-4f9b-958c-92ccc3bbb4eb");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(response.body()).isEqualTo("urn:uuid:5e94c686-2c0b-4f9b-958c-92ccc3bbb4eb");
    }

    @Test
    void withoutAnIdTheHubMakesAUrnUuidAndSendsItAsTheEventsId() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "https://example.com/books/1")) {
            String id = hub.publishOk("topic", "https://example.com/books/1", "data", "x");

            assertThat(id).matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            WireEvents.Event event = sub.awaitEvents(1, WAIT).getFirst();
            assertThat(event.id()).isEqualTo(id);
            assertThat(event.data()).isEqualTo("x");
        }
    }

    @Test
    void anUpdateReachesSubscribersOfItsCanonicalTopicAndOfEachAlternate() throws Exception {
        try (RawSseClient canonical = hub.subscribe(Map.of(), "topic", "https://example.com/books/1");
             RawSseClient alternate = hub.subscribe(Map.of(), "topic", "https://example.com/alt/2");
             RawSseClient other = hub.subscribe(Map.of(), "topic", "https://example.com/other")) {
            hub.publishOk("topic", "https://example.com/books/1", "topic", "https://example.com/alt/1",
                    "topic", "https://example.com/alt/2", "data", "both", "id", "urn:x:1");
            hub.publishOk("topic", "https://example.com/other", "data", "marker", "id", "urn:x:2");

            assertThat(canonical.awaitEvents(1, WAIT).getFirst().data()).isEqualTo("both");
            assertThat(alternate.awaitEvents(1, WAIT).getFirst().data()).isEqualTo("both");
            assertThat(other.awaitEvents(1, WAIT).getFirst().data()).as("the other topic got only its own").isEqualTo("marker");
        }
    }

    @Test
    void typeRetryAndMultiLineDataBecomeTheEventsFields() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t")) {
            hub.publishOk("topic", "t", "data", "line one\nline two", "type", "book-updated", "retry", "2500", "id", "urn:e:1");

            String text = sub.awaitText("line two", WAIT);
            assertThat(text).contains("event: book-updated\n").contains("retry: 2500\n")
                    .contains("data: line one\ndata: line two\n").contains("id: urn:e:1\n");
        }
    }

    @Test
    void aPrivateUpdateMarkedWithAnEmptyValueReachesOnlyAuthorizedSubscribers() throws Exception {
        try (RawSseClient anonymous = hub.subscribe(Map.of(), "topic", "https://example.com/secret");
             RawSseClient authorized = hub.subscribe(subscriber("https://example.com/secret"), "topic", "https://example.com/secret")) {
            hub.publishOk("topic", "https://example.com/secret", "data", "hidden", "private", "", "id", "urn:p:1");
            hub.publishOk("topic", "https://example.com/secret", "data", "public", "id", "urn:p:2");

            assertThat(authorized.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("hidden", "public");
            assertThat(anonymous.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("public");
            assertThat(anonymous.text()).doesNotContain("hidden");
        }
    }

    @Test
    void aPublishWithoutATopicIs400() throws Exception {
        HttpResponse<String> response = hub.publish(publisher("*"), "data", "x");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("topic");
    }

    @ParameterizedTest
    @ValueSource(strings = {"#fragment", "a\nb", "a\rb", "a\u0000b", "earliest"})
    void anIdStartingWithHashHoldingALineBreakOrNulOrReservedIs400(String id) throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t")) {
            assertThat(hub.publish(publisher("*"), "topic", "t", "data", "bad", "id", id).statusCode()).isEqualTo(400);
            hub.publishOk("topic", "t", "data", "good", "id", "urn:ok");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("good");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-1", "1.5", "99999999999999999999", " 10"})
    void aRetryThatIsNotAWholeNumberIs400(String retry) throws Exception {
        assertThat(hub.publish(publisher("*"), "topic", "t", "retry", retry).statusCode()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb"})
    void aTypeHoldingALineBreakIs400(String type) throws Exception {
        assertThat(hub.publish(publisher("*"), "topic", "t", "type", type).statusCode()).isEqualTo(400);
    }

    @Test
    void aBodyThatIsNotAFormIs400() throws Exception {
        HttpResponse<String> response = hub.http.send(java.net.http.HttpRequest.newBuilder(hub.hubUri())
                .header("Authorization", "Bearer " + publisher("*")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void aMalformedPercentEncodingIs400() throws Exception {
        HttpResponse<String> response = hub.post(Map.of("Authorization", "Bearer " + publisher("*")), "topic=t&data=%zz");
        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void aTopicInTheHubsOwnPathsIsRefused403SoNoPublisherForgesSubscriptionEvents() throws Exception {
        String forged = "/.well-known/mercure/subscriptions/t/urn%3Auuid%3A1";
        try (RawSseClient sub = hub.subscribe(subscriber("*"), "topic", "*")) {
            assertThat(hub.publish(publisher("*"), "topic", forged, "data", "forged", "private", "on").statusCode()).isEqualTo(403);
            assertThat(hub.publish(publisher("*"), "topic", "t", "topic", "https://x.example/.well-known/mercure", "data", "forged")
                    .statusCode()).isEqualTo(403);
            hub.publishOk("topic", "t", "data", "after", "id", "urn:after");
            assertThat(sub.awaitEvents(1, WAIT)).extracting(WireEvents.Event::data).containsExactly("after");
        }
    }

    @Test
    void nonAsciiTopicsAndDataArriveIntact() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "https://example.com/livres/é€😀")) {
            hub.publishOk("topic", "https://example.com/livres/é€😀", "data", "Ça marche 😀", "id", "urn:uni:1");
            assertThat(sub.awaitEvents(1, WAIT).getFirst().data()).isEqualTo("Ça marche 😀");
        }
    }

    @Test
    void theSameIdPublishedTwiceIsSentTwice() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t")) {
            hub.publishOk("topic", "t", "data", "one", "id", "urn:same");
            hub.publishOk("topic", "t", "data", "two", "id", "urn:same");
            assertThat(sub.awaitEvents(2, WAIT)).extracting(WireEvents.Event::id).containsExactly("urn:same", "urn:same");
        }
    }

    @Test
    void everyTopicOfAnUpdateIsCheckedForLength() throws Exception {
        assertThat(hub.publish(publisher("*"), "topic", "t", "topic", "x".repeat(5000)).statusCode()).isEqualTo(400);
        assertThat(List.of(hub.publish(publisher("*"), "topic", "").statusCode())).containsExactly(400);
    }

    @Test
    void aTopicRepeatedInOneUpdateDeliversItOnce() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t", "topic", "{x}")) {
            hub.publishOk("topic", "t", "topic", "t", "topic", "u", "data", "once", "id", "urn:d:1");
            hub.publishOk("topic", "t", "data", "marker", "id", "urn:d:2");

            assertThat(sub.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data).containsExactly("once", "marker");
        }
    }

    @Test
    void dataWithLoneCarriageReturnsCrLfAndNulStaysOneEventWithItsLines() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t")) {
            hub.publishOk("topic", "t", "data", "a\rb\r\nc\u0000d\ndata: forged\n\nid: x", "id", "urn:d:3");
            hub.publishOk("topic", "t", "data", "marker", "id", "urn:d:4");

            assertThat(sub.awaitEvents(2, WAIT)).extracting(WireEvents.Event::data)
                    .containsExactly("a\nb\nc\u0000d\ndata: forged\n\nid: x", "marker");
        }
    }

    @Test
    void aFormWithACharsetParameterIsAccepted() throws Exception {
        HttpResponse<String> response = hub.post(Map.of("Authorization", "Bearer " + publisher("*"),
                "Content-Type", "Application/X-WWW-Form-Urlencoded ; charset=UTF-8"), MercureFixture.form("topic", "t", "data", "x"));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"topic=t%FF&data=x", "topic=t&data=%C0%AF", "topic=t&id=urn:%ED%A0%80", "topic=t&data=caf%E9"})
    void percentEncodedBytesThatAreNotUtf8Are400NotSilentlyReplaced(String body) throws Exception {
        // an overlong '/', a lone surrogate, Latin-1: the hub must not publish, or answer, a changed id, topic or data
        HttpResponse<String> response = hub.post(Map.of("Authorization", "Bearer " + publisher("*")), body);
        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void rawNonAsciiBesidePlusAndPercentEncodingArrivesIntact() throws Exception {
        try (RawSseClient sub = hub.subscribe(Map.of(), "topic", "t")) {
            // sent as raw UTF-8 in the body, as some clients do: an emoji is a surrogate pair in Java
            HttpResponse<String> response = hub.post(Map.of("Authorization", "Bearer " + publisher("*")),
                    "topic=t&data=\ud83d\ude00+caf\u00e9%20%E4%B8%AD&id=urn:raw:1");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(sub.awaitEvents(1, WAIT).getFirst().data()).isEqualTo("\ud83d\ude00 caf\u00e9 \u4e2d");
        }
    }
}
