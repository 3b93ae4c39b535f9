package dev.runnel.mercure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenExtractorTest {

    private static final String JWS = "eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7fX0.c2lnbmF0dXJl-_";
    private final TokenExtractor extractor = new TokenExtractor();

    private Optional<BearerToken> extract(String header, String query, String cookie) throws InvalidTokenException {
        return extractor.extract(header, query, cookie);
    }

    @Test
    void headerWinsOverQueryAndCookie() throws Exception {
        assertThat(extract("Bearer " + JWS, "q", "mercureAuthorization=c"))
                .contains(new BearerToken(JWS, TokenSource.AUTHORIZATION_HEADER));
    }

    @Test
    void queryParameterWinsOverCookie() throws Exception {
        assertThat(extract(null, JWS, "mercureAuthorization=c"))
                .contains(new BearerToken(JWS, TokenSource.QUERY_PARAMETER));
    }

    @Test
    void cookieIsTheLastResort() throws Exception {
        assertThat(extract(null, null, "mercureAuthorization=" + JWS))
                .contains(new BearerToken(JWS, TokenSource.COOKIE));
    }

    @Test
    void nothingPresentedIsAnonymous() throws Exception {
        assertThat(extract(null, null, null)).isEmpty();
        assertThat(extract(null, null, "other=1; session=abc")).isEmpty();
        assertThat(extractor.extract(List.of(), List.of(), List.of())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer ", "bearer ", "BEARER ", "BeArEr ", "Bearer   ", "Bearer\t", "  Bearer "})
    void bearerSchemeIsCaseInsensitiveAndSpacingTolerant(String prefix) throws Exception {
        assertThat(extract(prefix + JWS + "  ", null, null))
                .contains(new BearerToken(JWS, TokenSource.AUTHORIZATION_HEADER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token " + JWS, JWS,
        "Bearer " + JWS + " extra", "Bearer a\"b", "Bearer a,b", "Bearer a;b", "Bearer é", "Bearer=" + JWS,
        "Bearer " + JWS + "\u0000"})
    void malformedAuthorizationHeaderIsAnErrorNotAFallThrough(String header) {
        assertThatThrownBy(() -> extract(header, JWS, "mercureAuthorization=" + JWS))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("Authorization");
    }

    @Test
    void severalAuthorizationHeadersAreAnError() {
        assertThatThrownBy(() -> extractor.extract(List.of("Bearer " + JWS, "Bearer " + JWS), List.of(), List.of()))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void presentQueryParameterIsUsedEvenWhenBadAndSeveralAreAnError() {
        assertThatThrownBy(() -> extract(null, "", "mercureAuthorization=" + JWS))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("authorization");
        assertThatThrownBy(() -> extract(null, "a b", null))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> extractor.extract(List.of(), List.of(JWS, JWS), List.of()))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void cookieAmongOthersWithSpacesAndQuotes() throws Exception {
        assertThat(extract(null, null, "a=1;mercureAuthorization=" + JWS + ";b=2")).map(BearerToken::value).contains(JWS);
        assertThat(extract(null, null, "  a=1 ;   mercureAuthorization =  " + JWS + "  ; b=2")).map(BearerToken::value).contains(JWS);
        assertThat(extract(null, null, "mercureAuthorization=\"" + JWS + "\"")).map(BearerToken::value).contains(JWS);
        assertThat(extract(null, null, "x=\"a;b\"; mercureAuthorization=" + JWS)).map(BearerToken::value).contains(JWS);
        assertThat(extract(null, null, "junk; =novalue; mercureAuthorization=" + JWS + ";;")).map(BearerToken::value).contains(JWS);
    }

    @Test
    void cookieNameIsMatchedExactly() throws Exception {
        assertThat(extract(null, null, "MercureAuthorization=x; mercureAuthorizationX=y; xmercureAuthorization=z")).isEmpty();
    }

    @Test
    void firstCookieOfTheNameWins() throws Exception {
        // browsers send the cookie with the longest path first
        assertThat(extract(null, null, "mercureAuthorization=first; mercureAuthorization=second"))
                .map(BearerToken::value).contains("first");
    }

    @Test
    void severalCookieHeadersAreReadInOrder() throws Exception {
        assertThat(extractor.extract(List.of(), List.of(), List.of("a=1", "mercureAuthorization=" + JWS)))
                .map(BearerToken::value).contains(JWS);
    }

    @Test
    void emptyCookieIsAnErrorAsInTheReferenceHub() {
        assertThatThrownBy(() -> extract(null, null, "mercureAuthorization="))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("cookie");
        assertThatThrownBy(() -> extract(null, null, "a=1; mercureAuthorization=\"\"; b=2"))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void cookieNameIsConfigurable() throws Exception {
        TokenExtractor custom = new TokenExtractor("hubToken");
        assertThat(custom.cookieName()).isEqualTo("hubToken");
        assertThat(custom.extract(null, null, "mercureAuthorization=a; hubToken=" + JWS))
                .contains(new BearerToken(JWS, TokenSource.COOKIE));
        assertThat(new TokenExtractor().cookieName()).isEqualTo("mercureAuthorization");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a;b", "a=b", "a,b", "é", "a\""})
    void badCookieNamesAreRefused(String name) {
        assertThatThrownBy(() -> new TokenExtractor(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenIsNotPrintedInLogs() {
        assertThat(new BearerToken(JWS, TokenSource.COOKIE).toString()).doesNotContain(JWS).contains("COOKIE");
    }

    @Test
    void sourceTellsTheEndpointWhatItOwes() {
        assertThat(TokenSource.QUERY_PARAMETER.needsPrivateCaching()).isTrue();
        assertThat(TokenSource.AUTHORIZATION_HEADER.needsPrivateCaching()).isFalse();
        assertThat(TokenSource.COOKIE.needsPrivateCaching()).isFalse();
        assertThat(TokenSource.COOKIE.needsOriginCheck()).isTrue();
        assertThat(TokenSource.QUERY_PARAMETER.needsOriginCheck()).isFalse();
        assertThat(TokenSource.AUTHORIZATION_HEADER.needsOriginCheck()).isFalse();
    }
}
