package dev.runnel.spring.boot.example;

import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;
import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.test.LiveStream;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import dev.runnel.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The example over real HTTP: logins, the per-user notifications, the public feed, and the pages' scripts. */
@RunnelTest(classes = ExampleApplication.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotificationsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @Autowired
    RunnelTestClient runnel;
    @Autowired
    Hub hub;

    /** A signed-in user agent: its own cookies, logged in through the login form. */
    private HttpClient loggedIn(String user) throws Exception {
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String token = csrf(get(http, "/login").body());
        HttpResponse<String> login = post(http, "/login", "username=" + user + "&password=" + user + "-pw&_csrf=" + enc(token));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/notifications"));
        return http;
    }

    private HttpResponse<String> get(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(runnel.uri(path)).header("Accept", "text/html").timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpClient http, String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(runnel.uri(path)).timeout(WAIT).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a note with the notifications page's own form, CSRF token included. */
    private HttpResponse<String> send(HttpClient from, String to, String text) throws Exception {
        String token = csrf(get(from, "/notifications").body());
        return post(from, "/notifications", "to=" + to + "&text=" + enc(text) + "&_csrf=" + enc(token));
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private RunnelTestClient as(HttpClient http) {
        return runnel.withOptions(EventSourceOptions.DEFAULTS.withReconnect(false).withHttpClient(http));
    }

    @Test
    void aNoteReachesItsRecipientLiveAndTheFeedForEveryone() throws Exception {
        HttpClient ada = loggedIn("ada");
        HttpClient bob = loggedIn("bob");
        try (LiveStream adasNotes = as(ada).connect("/sse/notifications");
             LiveStream bobsNotes = as(bob).connect("/sse/notifications");
             LiveStream feed = runnel.connect("/sse/activity")) {
            Await.until(() -> hub.subscribers("notifications.ada") == 1 && hub.subscribers("notifications.bob") == 1
                    && hub.subscribers("activity") == 1, "the three subscriptions", WAIT);

            HttpResponse<String> sent = send(bob, "ada", "Tea at 5? <3 ☕");

            assertThat(sent.statusCode()).isEqualTo(302);
            MessageEvent note = adasNotes.next();
            assertThat(note.type()).isEqualTo("notification");
            assertThat(note.data()).startsWith("<li class=\"note\">").contains("<b>bob</b>: <span class=\"text\">Tea at 5? &lt;3 ☕</span>");
            assertThat(feed.next().data()).contains("<b>bob</b> sent a note to <b>ada</b>").doesNotContain("Tea");
            assertThat(bobsNotes.hasEnded()).isFalse();
        }
        ada.close();
        bob.close();
    }

    @Test
    void notificationsNeedALogin() throws Exception {
        assertThat(runnel.read("/sse/notifications").end()).isInstanceOf(StreamEnd.WrongContentType.class);
        try (HttpClient anonymous = HttpClient.newHttpClient()) {
            HttpResponse<String> page = get(anonymous, "/notifications");
            assertThat(page.statusCode()).isEqualTo(302);
            assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        }
    }

    @Test
    void aNoteToSomeoneWhoDoesNotExistIsA400WithOneLine() throws Exception {
        HttpResponse<String> sent = send(loggedIn("ada"), "mallory", "hi");

        assertThat(sent.statusCode()).isEqualTo(400);
        assertThat(sent.body()).isEqualTo("no user \"mallory\"; the users are [ada, bob]\n");
    }

    @Test
    void thePagesLoadHtmxFromTheApplicationsWebJarsNotACdn() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String home = get(http, "/").body();
            Matcher scripts = Pattern.compile("<script src=\"([^\"]+)\"").matcher(home);
            int count = 0;
            while (scripts.find()) {
                String src = scripts.group(1);
                assertThat(src).startsWith("/webjars/");
                HttpResponse<String> script = get(http, src);
                assertThat(script.statusCode()).as(src).isEqualTo(200);
                assertThat(script.body()).as(src).contains("htmx");
                count++;
            }
            assertThat(count).isEqualTo(2);
            assertThat(home).doesNotContain("unpkg").doesNotContain("jsdelivr").doesNotContain("https://");
            assertThat(home).contains("sse-connect=\"/sse/activity\"");
        }
    }
}
