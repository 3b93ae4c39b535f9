package dev.runnel.mercure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The JWS algorithms a Mercure hub accepts tokens signed with, one per {@link JwtVerifier}.
 * HMAC algorithms take a shared secret; RSA and ECDSA ones a public key in PEM.
 */
public enum JwtAlgorithm {
    HS256, HS384, HS512,
    RS256, RS384, RS512,
    ES256, ES384, ES512;

    /** Whether this algorithm takes a shared secret rather than a public key. */
    public boolean isHmac() {
        return name().startsWith("HS");
    }

    /**
     * The algorithm named {@code name}, in any case; {@link #HS256} when it is {@code null} or
     * blank, as in the reference hub.
     *
     * @throws IllegalArgumentException for any other name, {@code none} included, listing the
     *     supported ones
     */
    public static JwtAlgorithm parse(String name) {
        if (name == null || name.isBlank()) {
            return HS256;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unsupported JWT algorithm '" + name + "'; supported: "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")), e);
        }
    }
}
