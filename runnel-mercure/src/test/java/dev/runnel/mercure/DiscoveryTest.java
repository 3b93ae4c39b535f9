package dev.runnel.mercure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiscoveryTest {

    private static final String JWS = "eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7fX0.c2ln-_";

    @Test
    void linkHeaderNamesTheHub() {
        assertThat(Discovery.linkHeader("https://example.com/.well-known/mercure"))
                .isEqualTo("<https://example.com/.well-known/mercure>; rel=\"mercure\"");
    }

    @Test
    void linkHeaderMayCarryTheLastEventId() {
        assertThat(Discovery.linkHeader("https://example.com/.well-known/mercure", "urn:uuid:1\"2\\3"))
                .isEqualTo("<https://example.com/.well-known/mercure>; rel=\"mercure\"; last-event-id=\"urn:uuid:1\\\"2\\\\3\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "https://example.com/a>b", "https://example.com/\r\nX: y", "https://example.com/<"})
    void linkHeaderRefusesUrlsThatWouldBreakIt(String url) {
        assertThatThrownBy(() -> Discovery.linkHeader(url)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linkHeaderRefusesControlCharactersInTheId() {
        assertThatThrownBy(() -> Discovery.linkHeader("https://example.com/.well-known/mercure", "a\nb"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultCookieIsSecureHttpOnlyStrictOnTheHubPath() {
        assertThat(Discovery.authorizationCookie(JWS)).isEqualTo("mercureAuthorization=" + JWS
                + "; Path=/.well-known/mercure; Secure; HttpOnly; SameSite=Strict");
    }

    @Test
    void cookieTakesNameDomainLifetimeAndSameSite() {
        assertThat(Discovery.authorizationCookie("hubToken", JWS, "/hub/.well-known/mercure", "example.com",
                Duration.ofMinutes(10), Discovery.SameSite.LAX))
                .isEqualTo("hubToken=" + JWS + "; Path=/hub/.well-known/mercure; Domain=example.com; Max-Age=600; "
                        + "Secure; HttpOnly; SameSite=Lax");
        assertThat(Discovery.authorizationCookie("hubToken", JWS, "/", null, null, Discovery.SameSite.NONE))
                .isEqualTo("hubToken=" + JWS + "; Path=/; Secure; HttpOnly; SameSite=None");
    }

    @Test
    void cookieRefusesWhatWouldBreakTheHeader() {
        assertThatThrownBy(() -> Discovery.authorizationCookie("a;b", JWS, "/", null, null, Discovery.SameSite.STRICT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.authorizationCookie("x", "a;b", "/", null, null, Discovery.SameSite.STRICT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.authorizationCookie("x", "", "/", null, null, Discovery.SameSite.STRICT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.authorizationCookie("x", JWS, "/a;b", null, null, Discovery.SameSite.STRICT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.authorizationCookie("x", JWS, "/", "a;b", null, Discovery.SameSite.STRICT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.authorizationCookie("x", JWS, "/", null, Duration.ofSeconds(-1),
                Discovery.SameSite.STRICT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cookieTheExtractorReadsBack() throws Exception {
        String setCookie = Discovery.authorizationCookie(JWS);
        String cookieHeader = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(new TokenExtractor().extract(null, null, cookieHeader))
                .contains(new BearerToken(JWS, TokenSource.COOKIE));
    }
}
