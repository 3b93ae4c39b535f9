package dev.runnel.spring.boot.example.browser;

import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.example.ExampleApplication;
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

/**
 * The example in a real browser: ada logs in with the login form and watches her notifications
 * page while bob sends her a note; htmx's SSE extension (from the application's WebJars) swaps the
 * server's Thymeleaf fragment in. Then the public page's activity feed, as anyone sees it.
 */
@RunnelTest(classes = ExampleApplication.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotificationsBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @Autowired
    RunnelTestClient runnel;
    @Autowired
    Hub hub;

    @Test
    void adaSeesBobsNoteArriveOnHerPageAndEveryoneSeesTheActivity() throws Exception {
        try (Chromium browser = Chromium.start(); HttpClient bob = HttpClient.newBuilder().cookieHandler(new CookieManager()).build()) {
            browser.open(runnel.uri("/notifications").toString());
            browser.await("the login page", d -> d.getCurrentUrl().endsWith("/login"));
            browser.find("input[name=username]").sendKeys("ada");
            browser.find("input[name=password]").sendKeys("ada-pw");
            browser.find("button[type=submit]").click();
            browser.await("ada's notifications page", d -> browser.texts("#user").equals(java.util.List.of("ada")));
            Await.until(() -> hub.subscribers("notifications.ada") == 1, "ada's page to subscribe", WAIT);

            logIn(bob, "bob");
            send(bob, "ada", "Lunch? 🍜 <b>not bold</b>");

            browser.await("the note on ada's page",
                    d -> browser.texts("#notifications li.note").stream().anyMatch(t -> t.contains("bob: Lunch? 🍜 <b>not bold</b>")));

            browser.open(runnel.uri("/").toString());
            Await.until(() -> hub.subscribers("activity") >= 1, "the public page to subscribe", WAIT);
            send(bob, "ada", "second note");
            browser.await("the activity line", d -> browser.texts("#activity li.activity").stream()
                    .anyMatch(t -> t.contains("bob sent a note to ada")));
            assertThat(browser.texts("#activity li.activity")).noneMatch(t -> t.contains("second note"));
        }
    }

    private HttpResponse<String> request(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(WAIT).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
    }

    private void logIn(HttpClient http, String user) throws Exception {
        String token = csrf(request(http, HttpRequest.newBuilder(runnel.uri("/login"))).body());
        HttpResponse<String> login = request(http, HttpRequest.newBuilder(runnel.uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=" + user + "-pw&_csrf=" + enc(token))));
        assertThat(login.statusCode()).isEqualTo(302);
    }

    private void send(HttpClient http, String to, String text) throws Exception {
        String token = csrf(request(http, HttpRequest.newBuilder(runnel.uri("/notifications"))).body());
        HttpResponse<String> sent = request(http, HttpRequest.newBuilder(runnel.uri("/notifications"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("to=" + to + "&text=" + enc(text) + "&_csrf=" + enc(token))));
        assertThat(sent.statusCode()).isEqualTo(302);
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
