package dev.runnel.mercure;

import java.util.Objects;

/**
 * A token as a request presented it, not yet verified: see {@link JwtVerifier#verify}.
 *
 * @param value the compact JWS, without any {@code Bearer} prefix
 * @param source where it came from, which decides what the answer owes (see {@link TokenSource})
 */
public record BearerToken(String value, TokenSource source) {

    /** Checks both are present. */
    public BearerToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(source, "source");
    }

    /** Names the source and the length only: tokens are credentials and stay out of logs. */
    @Override
    public String toString() {
        return "BearerToken[source=" + source + ", value=<" + value.length() + " characters>]";
    }
}
