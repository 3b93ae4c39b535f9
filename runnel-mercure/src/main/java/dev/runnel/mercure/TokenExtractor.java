package dev.runnel.mercure;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the token of a request where the Mercure draft says to look, in its precedence: the
 * {@code Authorization} header, else the {@code authorization} query parameter, else the
 * authorization cookie (named {@value #DEFAULT_COOKIE_NAME} unless configured otherwise).
 *
 * <p>A source that is present is used, never skipped: a malformed {@code Authorization} header
 * (another scheme than {@code Bearer}, which is matched in any case; no token; more than one
 * header) or a malformed or repeated query parameter is an error, not a reason to try the next
 * source; so is an empty cookie, as in the reference hub. Cookies are read leniently: spaces around names and values, other cookies, a quoted value,
 * and pieces that are not cookies at all; the first cookie of the name wins.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class TokenExtractor {

    /** The cookie name the draft recommends. */
    public static final String DEFAULT_COOKIE_NAME = "mercureAuthorization";

    /** RFC 7235 token68, which every compact JWS is. */
    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    /** RFC 6265 cookie-name: an RFC 7230 token. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    private final String cookieName;

    /** An extractor reading the {@value #DEFAULT_COOKIE_NAME} cookie. */
    public TokenExtractor() {
        this(DEFAULT_COOKIE_NAME);
    }

    /**
     * An extractor reading the cookie {@code cookieName}, for several hubs on one domain.
     *
     * @throws IllegalArgumentException if {@code cookieName} is not a valid cookie name
     */
    public TokenExtractor(String cookieName) {
        Objects.requireNonNull(cookieName, "cookieName");
        if (!COOKIE_NAME.matcher(cookieName).matches()) {
            throw new IllegalArgumentException("Invalid cookie name '" + cookieName
                    + "': letters, digits and !#$%&'*+-.^_`|~ only");
        }
        this.cookieName = cookieName;
    }

    /** The name of the cookie read. */
    public String cookieName() {
        return cookieName;
    }

    /**
     * The token of a request with at most one of each: the {@code Authorization} header value,
     * the decoded {@code authorization} query parameter and the {@code Cookie} header, each
     * {@code null} when absent.
     *
     * @return the token and its source, or empty for an anonymous request
     * @throws InvalidTokenException if the source that must be used is malformed
     */
    public Optional<BearerToken> extract(String authorizationHeader, String queryParameter, String cookieHeader)
            throws InvalidTokenException {
        return extract(listOf(authorizationHeader), listOf(queryParameter), listOf(cookieHeader));
    }

    /**
     * The token of a request given every {@code Authorization} header value, every decoded
     * {@code authorization} query parameter and every {@code Cookie} header, in request order
     * (empty lists when absent).
     *
     * @return the token and its source, or empty for an anonymous request
     * @throws InvalidTokenException if the source that must be used is malformed or repeated
     */
    public Optional<BearerToken> extract(
            List<String> authorizationHeaders, List<String> queryParameters, List<String> cookieHeaders)
            throws InvalidTokenException {
        if (!authorizationHeaders.isEmpty()) {
            if (authorizationHeaders.size() > 1) {
                throw new InvalidTokenException("more than one Authorization header");
            }
            return Optional.of(new BearerToken(bearer(authorizationHeaders.getFirst()), TokenSource.AUTHORIZATION_HEADER));
        }
        if (!queryParameters.isEmpty()) {
            if (queryParameters.size() > 1) {
                throw new InvalidTokenException("more than one authorization query parameter");
            }
            String token = queryParameters.getFirst().strip();
            if (!TOKEN68.matcher(token).matches()) {
                throw new InvalidTokenException("the authorization query parameter is not a token");
            }
            return Optional.of(new BearerToken(token, TokenSource.QUERY_PARAMETER));
        }
        for (String header : cookieHeaders) {
            Optional<String> value = cookie(header);
            if (value.isPresent()) {
                if (value.get().isEmpty()) {
                    throw new InvalidTokenException("the authorization cookie is empty");
                }
                return value.map(v -> new BearerToken(v, TokenSource.COOKIE));
            }
        }
        return Optional.empty();
    }

    private static String bearer(String header) throws InvalidTokenException {
        String value = header.strip();
        int space = 0;
        while (space < value.length() && value.charAt(space) != ' ' && value.charAt(space) != '\t') {
            space++;
        }
        if (!value.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new InvalidTokenException("the Authorization header does not use the Bearer scheme");
        }
        String token = value.substring(space).strip();
        if (!TOKEN68.matcher(token).matches()) {
            throw new InvalidTokenException("the Authorization header is not 'Bearer <token>'");
        }
        return token;
    }

    /** The value of the first cookie of this extractor's name in one {@code Cookie} header, maybe empty. */
    private Optional<String> cookie(String header) {
        for (String pair : header.split(";")) {
            int equals = pair.indexOf('=');
            if (equals < 0 || !pair.substring(0, equals).strip().equals(cookieName)) {
                continue;
            }
            String value = pair.substring(equals + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            return Optional.of(value);
        }
        return Optional.empty();
    }

    private static List<String> listOf(String value) {
        return value == null ? List.of() : List.of(value);
    }
}
