package dev.runnel.mercure;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an application sends its clients so they find the hub and can subscribe: the
 * {@code Link: <hub>; rel="mercure"} header of the draft's Discovery section, and the
 * authorization cookie of its Cookie section ({@code Secure}, {@code HttpOnly}, {@code SameSite},
 * {@code Path} = the hub's path), as header values to set on any HTTP response.
 *
 * <p>Every value is checked, so no argument can end the header early or add another one.
 */
public final class Discovery {

    /** The path of every Mercure hub. */
    public static final String HUB_PATH = "/.well-known/mercure";

    /** RFC 6265 cookie-octet, which every compact JWS is made of. */
    private static final Pattern COOKIE_VALUE = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]+");
    /** RFC 7230 token, a cookie name. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    /** Printable ASCII but {@code ;}: what a Path or Domain attribute may hold. */
    private static final Pattern ATTRIBUTE = Pattern.compile("[\\x20-\\x3A\\x3C-\\x7E]+");

    /** The {@code SameSite} attribute of the cookie. */
    public enum SameSite {
        /** Sent only by requests from the same site: the safest, when the hub shares the site. */
        STRICT("Strict"),
        /** Also sent on top-level navigation from other sites. */
        LAX("Lax"),
        /** Sent on cross-site requests too (a hub on another site); needs {@code Secure}, which is always set. */
        NONE("None");

        private final String attribute;

        SameSite(String attribute) {
            this.attribute = attribute;
        }
    }

    private Discovery() {}

    /**
     * The {@code Link} header value naming {@code hubUrl} as the hub:
     * {@code <hubUrl>; rel="mercure"}.
     *
     * @throws IllegalArgumentException if {@code hubUrl} is empty or holds {@code <}, {@code >},
     *     a space or a control character
     */
    public static String linkHeader(String hubUrl) {
        Objects.requireNonNull(hubUrl, "hubUrl");
        if (hubUrl.isEmpty() || hubUrl.chars().anyMatch(c -> c <= 0x20 || c == 0x7F || c == '<' || c == '>')) {
            throw new IllegalArgumentException("Not a URL a Link header can hold: '" + hubUrl + "'");
        }
        return "<" + hubUrl + ">; rel=\"mercure\"";
    }

    /**
     * The {@code Link} header value naming {@code hubUrl} as the hub, with the id of the last
     * update the resource reflects, which the subscriber passes as {@code lastEventID} so it
     * misses nothing published meanwhile.
     *
     * @throws IllegalArgumentException as {@link #linkHeader(String)}, or if the id holds a
     *     control character
     */
    public static String linkHeader(String hubUrl, String lastEventId) {
        Objects.requireNonNull(lastEventId, "lastEventId");
        if (lastEventId.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new IllegalArgumentException("The last event id holds a control character");
        }
        String quoted = lastEventId.replace("\\", "\\\\").replace("\"", "\\\"");
        return linkHeader(hubUrl) + "; last-event-id=\"" + quoted + "\"";
    }

    /**
     * The {@code Set-Cookie} header value carrying {@code token} in the
     * {@value TokenExtractor#DEFAULT_COOKIE_NAME} cookie, for a hub at {@value #HUB_PATH} on this
     * site: {@code Secure}, {@code HttpOnly}, {@code SameSite=Strict}, for the browser session.
     */
    public static String authorizationCookie(String token) {
        return authorizationCookie(TokenExtractor.DEFAULT_COOKIE_NAME, token, HUB_PATH, null, null, SameSite.STRICT);
    }

    /**
     * The {@code Set-Cookie} header value carrying {@code token}, always {@code Secure} and
     * {@code HttpOnly}.
     *
     * @param name the cookie name the hub reads
     * @param token the compact JWS
     * @param path the hub's path ({@value #HUB_PATH}, behind any prefix it is mounted under)
     * @param domain the {@code Domain} attribute, for a hub on another subdomain, or {@code null}
     * @param maxAge how long the browser keeps the cookie, or {@code null} for the session;
     *     best no longer than the token lives
     * @param sameSite the {@code SameSite} attribute
     * @throws IllegalArgumentException if a value would not fit in the header
     */
    public static String authorizationCookie(
            String name, String token, String path, String domain, Duration maxAge, SameSite sameSite) {
        check(COOKIE_NAME, name, "cookie name");
        Objects.requireNonNull(token, "token");
        if (!COOKIE_VALUE.matcher(token).matches()) {
            // the token is a credential: not repeated in the message
            throw new IllegalArgumentException("The token is empty or holds characters a cookie cannot");
        }
        check(ATTRIBUTE, path, "path");
        Objects.requireNonNull(sameSite, "sameSite");
        StringBuilder cookie = new StringBuilder(name).append('=').append(token).append("; Path=").append(path);
        if (domain != null) {
            check(ATTRIBUTE, domain, "domain");
            cookie.append("; Domain=").append(domain);
        }
        if (maxAge != null) {
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
            }
            cookie.append("; Max-Age=").append(maxAge.toSeconds());
        }
        return cookie.append("; Secure; HttpOnly; SameSite=").append(sameSite.attribute).toString();
    }

    private static void check(Pattern allowed, String value, String what) {
        Objects.requireNonNull(value, what);
        if (!allowed.matcher(value).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " for a cookie: '" + value + "'");
        }
    }
}
