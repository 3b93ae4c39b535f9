package dev.runnel.docs.springguide;

import dev.runnel.client.StreamEnd;
import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.test.LiveStream;
import dev.runnel.spring.boot.test.Recording;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import dev.runnel.testkit.Await;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

// docs:begin runnel-test
@RunnelTest
class NotesStreamTest {

    @Autowired
    RunnelTestClient runnel;

    @Test
    void aUserCannotReadAnotherUsersNotifications() {
        Recording refused = runnel.withBasicAuth("ada", "ada-pw").read("/sse/notifications/bob");

        assertThat(refused.end()).isEqualTo(new StreamEnd.HttpStatus(403));
    }

    @Test
    void aNoteArrivesAsItsRenderedFragment() throws Exception {
        try (LiveStream notes = runnel.withBasicAuth("ada", "ada-pw").connect("/sse/notifications/ada")) {
            awaitSubscriber("notifications.ada");
            post("bob", "/notes?to=ada&text=Tea%3F");

            assertThat(notes.next().data()).isEqualTo("<li class=\"note\"><b>bob</b>: Tea?</li>");
        }
    }
    // docs:end runnel-test

    @Test
    void theSseEmitterVersionSendsTheSameEventsWithoutTheCloseEvent() {
        Recording clock = runnel.read("/emitter/clock?count=2");

        assertThat(clock.types()).containsExactly("clock", "clock");
        assertThat(clock.data()).allMatch(d -> d.matches("<time id=\"clock\" data-tick=\"\\d\">\\d\\d:\\d\\d(:\\d\\d)?</time>"));
    }

    @Autowired
    Hub hub;

    private void awaitSubscriber(String topic) throws InterruptedException {
        Await.until(() -> hub.subscribers(topic) == 1, "the subscription to " + topic, Duration.ofSeconds(10));
    }

    private void post(String user, String path) throws Exception {
        URI uri = runnel.uri(path);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes()))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
        }
    }
// docs:begin runnel-test
}
// docs:end runnel-test
