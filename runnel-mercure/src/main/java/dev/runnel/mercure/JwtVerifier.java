package dev.runnel.mercure;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.mercure.internal.MercureClaimReader;
import dev.runnel.mercure.internal.PemKeys;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;

/**
 * Verifies Mercure tokens (compact JWS) signed with one configured algorithm and key, with
 * nimbus-jose-jwt, and reads what their {@code mercure} claim grants. A hub keeps one instance for
 * publishers and one for subscribers, as their keys may differ.
 *
 * <p>The grants come from the {@code mercure} claim, or from {@code https://mercure.rocks/} when
 * a token carries it, as the reference hub does for older publishers.
 *
 * <p>Keys: for {@code HS256} (the default), {@code HS384} and {@code HS512}, the secret string,
 * whose UTF-8 bytes are the HMAC key, as in the reference hub (a secret shorter than the hash is
 * accepted, as HMAC pads it with zeros; use at least 32 random bytes). For {@code RS*} and
 * {@code ES*}, the public key in PEM ({@code -----BEGIN PUBLIC KEY-----}, or for RSA also
 * {@code -----BEGIN RSA PUBLIC KEY-----}) or a certificate whose key is used; an {@code ES*} key
 * must be on its curve (P-256, P-384, P-521).
 *
 * <p>A token is refused ({@link InvalidTokenException}) when it is longer than
 * {@value #MAX_TOKEN_LENGTH} characters, malformed, not signed with exactly the configured
 * algorithm ({@code alg: none} and HMAC-with-the-public-key confusion included), badly signed,
 * carries an unknown critical header, is expired ({@code exp} at or before now) or not yet valid
 * ({@code nbf} after now), both with the configured clock skew (none by default), or has a
 * {@code mercure} claim of the wrong shape.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class JwtVerifier {

    /** The longest token read, in characters: longer ones are refused before any parsing. */
    public static final int MAX_TOKEN_LENGTH = 32 * 1024;

    private final JwtAlgorithm algorithm;
    private final JWSAlgorithm jwsAlgorithm;
    private final JWSVerifier verifier;
    private final Duration clockSkew;
    private final Clock clock;

    private JwtVerifier(JwtAlgorithm algorithm, JWSVerifier verifier, Duration clockSkew, Clock clock) {
        this.algorithm = algorithm;
        this.jwsAlgorithm = JWSAlgorithm.parse(algorithm.name());
        this.verifier = verifier;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    /**
     * A verifier for {@code algorithm} (a name such as {@code RS256}, in any case; {@code HS256}
     * when {@code null} or blank) and {@code key}: the secret for HMAC, else a PEM public key or
     * certificate. Reads the reference hub's {@code MERCURE_*_JWT_ALG} and {@code _KEY} as they are.
     *
     * @throws IllegalArgumentException for an unknown algorithm, an empty secret, or a key that
     *     is not a PEM public key of the algorithm's type (and curve), saying which
     */
    public static JwtVerifier of(String algorithm, String key) {
        return of(JwtAlgorithm.parse(algorithm), key);
    }

    /** A verifier for {@code algorithm} and {@code key}; see {@link #of(String, String)}. */
    public static JwtVerifier of(JwtAlgorithm algorithm, String key) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(key, "key");
        return new JwtVerifier(algorithm, verifierFor(algorithm, key), Duration.ZERO, Clock.systemUTC());
    }

    /**
     * A copy that tolerates clocks {@code skew} apart: a token stays valid until {@code exp + skew}
     * and becomes valid at {@code nbf - skew}.
     */
    public JwtVerifier withClockSkew(Duration skew) {
        if (skew.isNegative()) {
            throw new IllegalArgumentException("Clock skew must not be negative: " + skew);
        }
        return new JwtVerifier(algorithm, verifier, skew, clock);
    }

    /** A copy reading the time from {@code clock}: for tests. */
    JwtVerifier withClock(Clock clock) {
        return new JwtVerifier(algorithm, verifier, clockSkew, Objects.requireNonNull(clock, "clock"));
    }

    /** The one algorithm this verifier accepts. */
    public JwtAlgorithm algorithm() {
        return algorithm;
    }

    /** The clock skew tolerated for {@code exp} and {@code nbf}. */
    public Duration clockSkew() {
        return clockSkew;
    }

    /**
     * Verifies {@code token} (the compact JWS alone, without {@code Bearer}) and returns what its
     * {@code mercure} claim grants.
     *
     * @throws InvalidTokenException if the token must not be honoured; the message says why
     */
    public MercureClaims verify(String token) throws InvalidTokenException {
        Objects.requireNonNull(token, "token");
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new InvalidTokenException("token is too long: " + token.length() + " characters, at most "
                    + MAX_TOKEN_LENGTH);
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException("malformed token: not a compact JWS", e);
        }
        JWSAlgorithm signedWith = jwt.getHeader().getAlgorithm();
        if (!jwsAlgorithm.equals(signedWith)) {
            throw new InvalidTokenException("token is signed with " + signedWith + "; only " + algorithm
                    + " is accepted");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new InvalidTokenException("bad signature");
            }
        } catch (JOSEException | RuntimeException e) {
            throw new InvalidTokenException("signature could not be verified: " + e.getMessage(), e);
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException("claims are not a valid JWT claims set", e);
        }
        Instant expiresAt = instant(claims.getExpirationTime());
        Instant notBefore = instant(claims.getNotBeforeTime());
        Instant now = clock.instant();
        if (expiresAt != null && !now.isBefore(expiresAt.plus(clockSkew))) {
            throw new InvalidTokenException("token expired at " + expiresAt);
        }
        if (notBefore != null && now.plus(clockSkew).isBefore(notBefore)) {
            throw new InvalidTokenException("token is not valid before " + notBefore);
        }
        return MercureClaimReader.read(claims.getClaims(), expiresAt);
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }

    private static JWSVerifier verifierFor(JwtAlgorithm algorithm, String key) {
        try {
            if (algorithm.isHmac()) {
                return new MACVerifier(hmacKey(algorithm, key));
            }
            PublicKey publicKey = PemKeys.publicKey(key);
            if (algorithm.name().startsWith("RS")) {
                if (!(publicKey instanceof RSAPublicKey rsa)) {
                    throw new IllegalArgumentException(algorithm + " needs an RSA public key; this PEM holds an "
                            + publicKey.getAlgorithm() + " key");
                }
                return new RSASSAVerifier(rsa);
            }
            if (!(publicKey instanceof ECPublicKey ec)) {
                throw new IllegalArgumentException(algorithm + " needs an EC public key; this PEM holds an "
                        + publicKey.getAlgorithm() + " key");
            }
            Curve expected = Curve.forJWSAlgorithm(JWSAlgorithm.parse(algorithm.name())).iterator().next();
            Curve actual = Curve.forECParameterSpec(ec.getParams());
            if (!expected.equals(actual)) {
                throw new IllegalArgumentException(algorithm + " needs a " + expected.getName() + " key; this one is on "
                        + (actual == null ? "another curve" : actual.getName()));
            }
            return new ECDSAVerifier(ec);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("Unusable " + algorithm + " key: " + e.getMessage(), e);
        }
    }

    /**
     * The secret's bytes, zero-padded to the hash length when shorter: HMAC pads any key shorter
     * than its block with zeros, so the MAC is the one other libraries compute with the short key,
     * while nimbus only takes keys at least as long as the hash.
     */
    private static byte[] hmacKey(JwtAlgorithm algorithm, String secret) {
        byte[] bytes = secret.getBytes(UTF_8);
        if (bytes.length == 0) {
            throw new IllegalArgumentException("The " + algorithm + " secret is empty");
        }
        int hashBytes = Integer.parseInt(algorithm.name().substring(2)) / 8;
        return bytes.length >= hashBytes ? bytes : Arrays.copyOf(bytes, hashBytes);
    }
}
