package dev.runnel.spring.boot.secured;

import dev.runnel.SseEngine;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.StreamEnd;
import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.test.LiveStream;
import dev.runnel.spring.boot.test.Recording;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import dev.runnel.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams behind Spring Security, over real HTTP on Tomcat: HTTP Basic and form login (with CSRF),
 * the principal a producer sees, {@code SecurityTopicAccess}, and streams ended by logout and by
 * the end of their session.
 */
@RunnelTest(classes = SecuredApp.class, properties = {"server.address=127.0.0.1", "runnel.start-wait=5s"})
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a stream that never ends must not hang the build
class SpringSecurityStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    RunnelTestClient runnel;
    @Autowired
    SseEngine engine;
    @Autowired
    Hub hub;

    private Browser browser;

    @BeforeEach
    void newBrowser() {
        browser = new Browser(runnel.uri("/"));
    }

    @AfterEach
    void closeBrowser() {
        browser.close();
    }

    private RunnelTestClient as(String user) {
        return runnel.withBasicAuth(user, user + "-pw");
    }

    /** A client that sends the browser's cookies, so its session. */
    private RunnelTestClient inBrowser(Browser b) {
        return runnel.withOptions(EventSourceOptions.DEFAULTS.withReconnect(false).withHttpClient(b.http));
    }

    private static int authentications(String user) {
        AtomicInteger n = SecuredApp.AUTHENTICATIONS.get(user);
        return n == null ? 0 : n.get();
    }

    @Test
    void theProducerSeesTheAuthenticatedUserAsSpringSecuritysAuthentication() {
        Recording me = as("ada").read("/sse/me");

        assertThat(me.data()).containsExactly("ada", "UsernamePasswordAuthenticationToken");
        assertThat(me.end()).isInstanceOf(StreamEnd.Ended.class);
    }

    @Test
    void aStreamWithoutCredentialsIsRefusedBySpringSecurity() {
        // form login is on, so Spring Security sends the login page; never a stream
        assertThat(runnel.read("/sse/me").end()).isEqualTo(new StreamEnd.WrongContentType("text/html;charset=UTF-8"));
        assertThat(runnel.withBasicAuth("ada", "wrong").read("/sse/me").end()).isEqualTo(new StreamEnd.HttpStatus(401));
    }

    @Test
    void aStreamIsAuthenticatedOnceAndNeverDispatchedAgain() throws Exception {
        int before = authentications("bob");

        assertThat(as("bob").read("/sse/me?from=once").data()).containsExactly("bob", "UsernamePasswordAuthenticationToken");
        // an async or error dispatch would come right after the stream ends; a plain request after it
        // is dispatched after anything the stream's request would have had
        as("bob").read("/sse/me?from=once");

        assertThat(authentications("bob") - before).isEqualTo(2);
        // other tests' applications share the recorder: only this test's requests count
        assertThat(SecuredApp.DISPATCHES.stream().filter(d -> d.endsWith("?from=once")))
                .containsExactly("REQUEST /sse/me?from=once", "REQUEST /sse/me?from=once");
    }

    @Test
    void springSecuritysHeadersAndRunnelsCacheControlBothReachEveryStream() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(runnel.uri("/sse/me")).timeout(WAIT)
                        .header("Accept", "text/event-stream")
                        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("ada:ada-pw".getBytes()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
                assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
                assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
                assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
                assertThat(response.body()).isEqualTo("data: ada\n\ndata: UsernamePasswordAuthenticationToken\n\n");
            }
        }
    }

    @Test
    void aUserReadsTheirOwnNotificationsButNotAnothers() throws Exception {
        assertThat(as("ada").read("/sse/notifications/bob").end()).isEqualTo(new StreamEnd.HttpStatus(403));

        try (LiveStream own = as("ada").connect("/sse/notifications/ada")) {
            awaitSubscribers("notifications.ada", 1);
            hub.publish("notifications.ada", "for ada only ✓");
            assertThat(own.next().data()).isEqualTo("for ada only ✓");
        }
    }

    @Test
    void publishingThroughARequestAsksTheTopicAccess() throws Exception {
        HttpResponse<String> anonymous = browser.post("/publish/activity", "text=hi");
        assertThat(anonymous.statusCode()).isEqualTo(403);
        assertThat(anonymous.body()).contains("activity");

        assertThat(postAs("ada", "/publish/notifications.bob?text=x").statusCode()).isEqualTo(403);
        assertThat(postAs("root", "/publish/notifications.bob?text=x").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> postAs(String user, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(runnel.uri(path)).timeout(WAIT)
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes()))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void roleRulesComeFromSpringSecuritysAuthorities() throws Exception {
        assertThat(as("ada").read("/sse/admin").end()).isEqualTo(new StreamEnd.HttpStatus(403));
        try (LiveStream admin = as("root").connect("/sse/admin")) {
            awaitSubscribers("admin.audit", 1);
            hub.publish("admin.audit", "audit entry");
            assertThat(admin.next().data()).isEqualTo("audit entry");
        }
    }

    private void awaitSubscribers(String topic, int count) throws InterruptedException {
        Await.until(() -> hub.subscribers(topic) == count, count + " subscriber(s) of " + topic, WAIT);
    }

    @Test
    void logoutEndsTheStreamsOfThatLoginOnly() throws Exception {
        assertThat(browser.logIn("ada", "ada-pw").statusCode()).isEqualTo(302);
        try (LiveStream mine = inBrowser(browser).connect("/sse/notifications/ada");
             LiveStream otherLogin = as("ada").connect("/sse/notifications/ada")) {
            awaitSubscribers("notifications.ada", 2);
            hub.publish("notifications.ada", "before logout");
            assertThat(mine.next().data()).isEqualTo("before logout");
            assertThat(otherLogin.next().data()).isEqualTo("before logout");

            assertThat(browser.logOut().statusCode()).isEqualTo(302);

            assertThat(mine.end()).as("the logged-out stream ends").isInstanceOf(StreamEnd.Ended.class);
            awaitSubscribers("notifications.ada", 1);
            hub.publish("notifications.ada", "after logout");
            assertThat(otherLogin.next().data()).isEqualTo("after logout");
            assertThat(otherLogin.hasEnded()).isFalse();
        }
    }

    @Test
    void logoutAfterASecondLoginInTheSameSessionEndsTheStreamsOpenedBeforeIt() throws Exception {
        assertThat(browser.logIn("ada", "ada-pw").statusCode()).isEqualTo(302);
        try (LiveStream mine = inBrowser(browser).connect("/sse/notifications/ada")) {
            awaitSubscribers("notifications.ada", 1);
            // Spring Security gives the session a new id at every login
            assertThat(browser.logIn("ada", "ada-pw").statusCode()).isEqualTo(302);
            hub.publish("notifications.ada", "between logins");
            assertThat(mine.next().data()).isEqualTo("between logins");

            assertThat(browser.logOut().statusCode()).isEqualTo(302);

            assertThat(mine.end()).as("the stream opened under the session's first id ends").isInstanceOf(StreamEnd.Ended.class);
            awaitSubscribers("notifications.ada", 0);
        }
    }

    @Test
    void aStreamWhoseSessionEndsWhileItWaitsForTheFiltersNeverOpens() throws Exception {
        assertThat(browser.logIn("bob", "bob-pw").statusCode()).isEqualTo(302);
        SecuredApp.hold("session-race");
        try (LiveStream stream = inBrowser(browser).connect("/sse/notifications/bob?hold=session-race")) {
            // the handler has returned and the stream waits at the start gate for the held filter
            assertThat(SecuredApp.REACHED.get("session-race").await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(browser.get("/invalidate").body()).isEqualTo("invalidated");
            SecuredApp.release("session-race");

            assertThat(stream.end()).isEqualTo(new StreamEnd.HttpStatus(403));
            assertThat(hub.subscribers("notifications.bob")).isZero();
        } finally {
            SecuredApp.release("session-race");
        }
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private double refusedForHandlerErrors() {
        return meters.find("runnel.streams.refused").tag("reason", "handler_error").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void aStreamWhoseFiltersDoNotReturnWithinTheWaitIsRefusedInsteadOfWrittenAlongsideThem() throws Exception {
        double before = refusedForHandlerErrors();
        SecuredApp.hold("slow-filter");
        try (LiveStream stream = as("ada").withTimeout(Duration.ofSeconds(40)).connect("/sse/me?hold=slow-filter")) {
            assertThat(SecuredApp.REACHED.get("slow-filter").await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            // runnel.start-wait=5s: while the filter still holds the response, the stream gives up instead of writing
            Await.until(() -> refusedForHandlerErrors() > before, "the stream refused", Duration.ofSeconds(20));
            SecuredApp.release("slow-filter");

            assertThat(stream.end()).isEqualTo(new StreamEnd.HttpStatus(500));
        } finally {
            SecuredApp.release("slow-filter");
        }
    }

    @Test
    void aFilterThatThrowsAfterTheHandlerReturnedStillOpensTheGate() {
        Recording me = as("ada").read("/sse/me?throwAfter=1");

        // read() has a deadline: the stream is not held at the gate, and ends
        assertThat(me.end()).isEqualTo(new StreamEnd.HttpStatus(500));
    }

    @Test
    void aSessionThatEndsTakesItsStreamsWithIt() throws Exception {
        assertThat(browser.logIn("bob", "bob-pw").statusCode()).isEqualTo(302);
        try (LiveStream stream = inBrowser(browser).connect("/sse/notifications/bob")) {
            awaitSubscribers("notifications.bob", 1);
            hub.publish("notifications.bob", "hello");
            assertThat(stream.next().data()).isEqualTo("hello");

            assertThat(browser.get("/invalidate").body()).isEqualTo("invalidated");

            assertThat(stream.end()).isInstanceOf(StreamEnd.Ended.class);
            awaitSubscribers("notifications.bob", 0);
        }
    }

    @Test
    void aFragmentPublishedToManySubscribersIsRenderedOnce() throws Exception {
        try (LiveStream a = runnel.connect("/sse/activity"); LiveStream b = runnel.connect("/sse/activity")) {
            awaitSubscribers("activity", 2);
            int before = SecuredApp.RENDERS.get();

            HttpResponse<String> published = browser.post("/publish/fragment/activity", "text=" + java.net.URLEncoder.encode("Zoë <3", "UTF-8"));

            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(a.next().data()).isEqualTo("<li>Zoë &lt;3</li>");
            assertThat(b.next().data()).isEqualTo("<li>Zoë &lt;3</li>");
            assertThat(SecuredApp.RENDERS.get() - before).isEqualTo(1);
        }
    }
}
