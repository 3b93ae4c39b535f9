package dev.runnel.spring.boot.secured;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A user agent with its own cookie jar, that logs in and out through Spring Security's own forms, CSRF token included. */
final class Browser {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Duration WAIT = Duration.ofSeconds(10);

    final HttpClient http;
    private final URI base;

    Browser(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(WAIT).build();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in with the login page's form; returns the answer to the POST (a redirect). */
    HttpResponse<String> logIn(String user, String password) throws Exception {
        String token = csrf(get("/login").body());
        return post("/login", "username=" + enc(user) + "&password=" + enc(password) + "&_csrf=" + enc(token));
    }

    /** Logs out with the logout page's form. */
    HttpResponse<String> logOut() throws Exception {
        String token = csrf(get("/logout").body());
        return post("/logout", "_csrf=" + enc(token));
    }

    void close() {
        http.close();
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page: " + page);
        }
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
