package dev.runnel.example.browser;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.client.MercurePublisher;
import dev.runnel.client.MercureUpdate;
import dev.runnel.mercure.hub.HubSettings;
import dev.runnel.mercure.hub.MercureHubServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone Mercure hub and a real browser (Debian's headless Chromium): the page's debug view
 * subscribes with the browser's native {@code EventSource}, anonymously and then authorized by the
 * hub's cookie, while updates are published with {@link MercurePublisher}; public updates reach both,
 * private ones only the authorized subscription.
 */
class MercureBrowserTest {

    private static final String KEY = "a-secret-of-at-least-thirty-two-bytes!!";
    private MercureHubServer hub;
    private Browser browser;
    private MercurePublisher publisher;

    private static String jwt(Map<String, Object> mercure) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().claim("mercure", mercure).build());
        jwt.sign(new MACSigner(KEY.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @BeforeEach
    void start() throws Exception {
        hub = MercureHubServer.start(HubSettings.from(List.of("--host", "127.0.0.1", "--port", "0", "--anonymous",
                "--publisher-jwt-key", KEY), Map.of(), w -> { }));
        String token = jwt(Map.of("publish", List.of("*")));
        publisher = MercurePublisher.builder(hub.uri().resolve("/.well-known/mercure")).token(() -> token).build();
        browser = Browser.start();
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            hub.close();
        }
    }

    /** Opens a subscription from the page's debug view and waits until the hub counts it. */
    private void subscribe(String selector, int streams) {
        var field = browser.driver().findElement(By.id("sel"));
        field.clear();
        field.sendKeys(selector);
        browser.driver().findElement(By.id("sub")).click();
        browser.await("the browser's EventSource is open", d -> hub.engine().openStreams() == streams
                && browser.text("#events").contains("(connected)"));
    }

    @Test
    void anAnonymousEventSourceGetsPublicUpdatesAndTheCookieOpensPrivateOnes() throws Exception {
        browser.open(hub.uri().resolve("/"));
        subscribe("https://example.com/books/{id}", 1);

        publisher.publish(MercureUpdate.of("https://example.com/books/1", "private one").asPrivate());
        String publicId = publisher.publish(MercureUpdate.of("https://example.com/books/1", "public one"));

        browser.await("the public update", d -> browser.text("#events").contains(publicId + " public one"));
        assertThat(browser.text("#events")).doesNotContain("private one");

        // the hub's authorization cookie, as an application sets it for its pages (Path: the hub's)
        browser.driver().manage().addCookie(new Cookie("mercureAuthorization", jwt(Map.of("subscribe", List.of("*"))),
                "/.well-known/mercure"));
        subscribe("*", 1); // the debug view closes the anonymous source first
        String privateId = publisher.publish(MercureUpdate.of("https://example.com/books/2", "private two").asPrivate());

        browser.await("the private update, through the cookie", d -> browser.text("#events").contains(privateId + " private two"));
    }
}
