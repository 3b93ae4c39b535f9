package dev.runnel.spring.boot.secured;

import dev.runnel.client.StreamEnd;
import dev.runnel.spring.boot.test.LiveStream;
import dev.runnel.spring.boot.test.Recording;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code @RunnelTest} gives a test: a client bound to the running server, reading streams in a line or two. */
@RunnelTest(classes = SecuredApp.class, properties = "server.address=127.0.0.1")
class RunnelTestClientTest {

    @Autowired
    RunnelTestClient runnel;

    @Test
    void aFinishedStreamReadsAsItsEventsThenTheEndReason() {
        Recording me = runnel.withBasicAuth("ada", "ada-pw").read("/sse/me");

        assertThat(me.data()).containsExactly("ada", "UsernamePasswordAuthenticationToken");
        assertThat(me.types()).containsExactly("message", "message");
        assertThat(me.end()).isInstanceOf(StreamEnd.Ended.class);
    }

    @Test
    void readingTheFirstEventsOfAnEndlessStreamClosesIt() {
        Recording flood = runnel.withBasicAuth("ada", "ada-pw").read("/sse/flood", 3);

        assertThat(flood.data()).hasSize(3).allMatch(d -> d.endsWith("x".repeat(1024)));
        assertThat(flood.end()).isInstanceOf(StreamEnd.Closed.class);
    }

    @Test
    void aRefusalIsAnEndReasonNotAnException() {
        assertThat(runnel.withBasicAuth("ada", "ada-pw").read("/sse/notifications/bob").end())
                .isEqualTo(new StreamEnd.HttpStatus(403));
    }

    @Test
    void aStreamThatDoesNotEndInTimeFailsTheTestWithWhatItGot() {
        assertThatThrownBy(() -> runnel.withTimeout(Duration.ofMillis(500)).read("/sse/activity"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/sse/activity did not end within PT0.5S; events so far: []");
        try (LiveStream quiet = runnel.withTimeout(Duration.ofMillis(300)).connect("/sse/activity")) {
            assertThatThrownBy(quiet::next).isInstanceOf(AssertionError.class).hasMessageContaining("no event from");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aSourceToIterateGivesUpAtTheClientsTimeoutWhenNothingComes() {
        try (dev.runnel.client.EventSource quiet = runnel.withTimeout(Duration.ofSeconds(1)).open("/sse/activity")) {
            assertThat(quiet.iterator().hasNext()).isFalse();
        }
    }

    @Test
    void pathsResolveAgainstTheRunningServer() {
        assertThat(runnel.uri("/sse/me").toString()).matches("http://127\\.0\\.0\\.1:\\d+/sse/me");
        assertThat(runnel.uri("sse/me")).isEqualTo(runnel.uri("/sse/me"));
    }
}
