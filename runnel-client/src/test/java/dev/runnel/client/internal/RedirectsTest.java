package dev.runnel.client.internal;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which redirects a source follows itself: {@link Redirects}. */
class RedirectsTest {

    private static final URI HTTP = URI.create("http://a.example/events?x=1");
    private static final URI HTTPS = URI.create("https://a.example/events");

    @Test
    void theFiveRedirectStatusesAreFollowedToARelativeOrAbsoluteLocation() {
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            assertThat(Redirects.target(HTTP, status, Optional.of("/moved"))).contains(URI.create("http://a.example/moved"));
        }
        assertThat(Redirects.target(HTTP, 302, Optional.of("https://b.example/s"))).contains(URI.create("https://b.example/s"));
    }

    @Test
    void otherStatusesAMissingOrBadLocationAndOtherSchemesAreNotFollowed() {
        assertThat(Redirects.target(HTTP, 300, Optional.of("/moved"))).isEmpty();
        assertThat(Redirects.target(HTTP, 304, Optional.of("/moved"))).isEmpty();
        assertThat(Redirects.target(HTTP, 302, Optional.empty())).isEmpty();
        assertThat(Redirects.target(HTTP, 302, Optional.of("http://bad host/"))).isEmpty();
        assertThat(Redirects.target(HTTP, 302, Optional.of("ftp://a.example/x"))).isEmpty();
    }

    @Test
    void httpsIsNeverRedirectedToHttp() {
        assertThat(Redirects.target(HTTPS, 302, Optional.of("http://a.example/events"))).isEmpty();
        assertThat(Redirects.target(HTTPS, 302, Optional.of("/other"))).contains(URI.create("https://a.example/other"));
    }

    @Test
    void anotherSchemeOrAuthorityIsAnotherOriginAndOnlyCredentialsAreHeldBack() {
        assertThat(Redirects.sameOrigin(HTTP, URI.create("http://A.example/other"))).isTrue();
        assertThat(Redirects.sameOrigin(HTTP, URI.create("http://a.example:8080/events"))).isFalse();
        assertThat(Redirects.sameOrigin(HTTP, URI.create("https://a.example/events"))).isFalse();
        assertThat(Redirects.isCredential("authorization")).isTrue();
        assertThat(Redirects.isCredential("Cookie")).isTrue();
        assertThat(Redirects.isCredential("X-Tenant")).isFalse();
    }
}
