package dev.runnel.mercure;

import dev.runnel.compress.Compression;

import java.util.List;
import java.util.Objects;

/**
 * How a {@link MercureHub} authorizes and answers: the publishers' and subscribers' token
 * verifiers, whether anonymous subscribers are served, the authorization cookie's name, the
 * origins allowed to publish with the cookie and to call the hub cross-origin, and whether active
 * subscriptions are tracked. Build one with {@link #builder()}; only the publisher key is required.
 *
 * <p>How much history the hub keeps for reconnections is the hub's own setting
 * ({@code HubOptions.withMaxHistory}, {@code withReplay}, {@code withMaxReplayBytes}), as the
 * Mercure hub is built on an engine's hub.
 *
 * @param publisherJwt verifies publishers' tokens
 * @param subscriberJwt verifies subscribers' tokens (the publisher's verifier unless set)
 * @param anonymous whether a subscriber without a token is served (public updates only)
 * @param cookieName the authorization cookie's name, {@value TokenExtractor#DEFAULT_COOKIE_NAME} by default
 * @param publishOrigins origins ({@code scheme://host[:port]}, or {@code *} for any) a publish
 *     authorized by the cookie must come from, by its {@code Origin} (else {@code Referer})
 * @param corsOrigins origins whose pages may subscribe cross-origin, with credentials ({@code *}: any)
 * @param publisherCorsOrigins origins whose pages may publish cross-origin ({@code *}: any)
 * @param subscriptions whether active subscriptions are announced and listed (the draft's
 *     "Active Subscriptions")
 * @param compression the content codings subscriptions may be sent with, chosen from each request's
 *     {@code Accept-Encoding}; {@link Compression#OFF} by default. Keep it off when updates mix
 *     private data with text an attacker can influence (see {@link Compression})
 */
public record MercureOptions(JwtVerifier publisherJwt, JwtVerifier subscriberJwt, boolean anonymous, String cookieName,
                             List<String> publishOrigins, List<String> corsOrigins, List<String> publisherCorsOrigins,
                             boolean subscriptions, Compression compression) {

    /** The options before compression, which they leave off. */
    public MercureOptions(JwtVerifier publisherJwt, JwtVerifier subscriberJwt, boolean anonymous, String cookieName,
                          List<String> publishOrigins, List<String> corsOrigins, List<String> publisherCorsOrigins,
                          boolean subscriptions) {
        this(publisherJwt, subscriberJwt, anonymous, cookieName, publishOrigins, corsOrigins, publisherCorsOrigins, subscriptions,
                Compression.OFF);
    }

    public MercureOptions {
        Objects.requireNonNull(publisherJwt, "publisherJwt: a Mercure hub needs the publishers' key");
        subscriberJwt = subscriberJwt == null ? publisherJwt : subscriberJwt;
        cookieName = new TokenExtractor(cookieName == null ? TokenExtractor.DEFAULT_COOKIE_NAME : cookieName).cookieName();
        publishOrigins = origins("publishOrigins", publishOrigins);
        corsOrigins = origins("corsOrigins", corsOrigins);
        publisherCorsOrigins = origins("publisherCorsOrigins", publisherCorsOrigins);
        compression = compression == null ? Compression.OFF : compression;
    }

    /** A builder; {@link Builder#publisherJwt} (or {@link Builder#jwt}) must be called. */
    public static Builder builder() {
        return new Builder();
    }

    private static List<String> origins(String field, List<String> origins) {
        List<String> copy = List.copyOf(origins == null ? List.of() : origins);
        for (String origin : copy) {
            if (!origin.equals("*") && !origin.matches("[A-Za-z][A-Za-z0-9+.\\-]*://[A-Za-z0-9.\\-\\[\\]:]+")) {
                throw new IllegalArgumentException(field + ": an origin is scheme://host[:port] or *, got \"" + origin + '"');
            }
        }
        return copy;
    }

    /** Whether {@code origin} (an {@code Origin} header value) is one of {@code allowed}. */
    static boolean allows(List<String> allowed, String origin) {
        return origin != null && (allowed.contains("*") || allowed.contains(origin));
    }

    /** Builds {@link MercureOptions}. */
    public static final class Builder {
        private JwtVerifier publisherJwt;
        private JwtVerifier subscriberJwt;
        private boolean anonymous;
        private String cookieName;
        private List<String> publishOrigins = List.of();
        private List<String> corsOrigins = List.of();
        private List<String> publisherCorsOrigins = List.of();
        private boolean subscriptions;
        private Compression compression = Compression.OFF;

        private Builder() {
        }

        /** One key for publishers and subscribers ({@code algorithm} as {@link JwtVerifier#of(String, String)} reads it). */
        public Builder jwt(String algorithm, String key) {
            JwtVerifier verifier = JwtVerifier.of(algorithm, key);
            this.publisherJwt = verifier;
            this.subscriberJwt = verifier;
            return this;
        }

        /** The publishers' verifier. */
        public Builder publisherJwt(JwtVerifier verifier) {
            this.publisherJwt = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** The subscribers' verifier; the publishers' when not set. */
        public Builder subscriberJwt(JwtVerifier verifier) {
            this.subscriberJwt = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** Serve subscribers without a token (public updates only); default false. */
        public Builder anonymous(boolean allowed) {
            this.anonymous = allowed;
            return this;
        }

        /** The authorization cookie's name; default {@value TokenExtractor#DEFAULT_COOKIE_NAME}. */
        public Builder cookieName(String name) {
            this.cookieName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Origins a publish authorized by the cookie may come from; default none (such publishes are refused). */
        public Builder publishOrigins(List<String> origins) {
            this.publishOrigins = origins;
            return this;
        }

        /** Origins whose pages may subscribe cross-origin, with credentials; default none. */
        public Builder corsOrigins(List<String> origins) {
            this.corsOrigins = origins;
            return this;
        }

        /** Origins whose pages may publish cross-origin; default none. */
        public Builder publisherCorsOrigins(List<String> origins) {
            this.publisherCorsOrigins = origins;
            return this;
        }

        /** Announce and list active subscriptions; default false. */
        public Builder subscriptions(boolean tracked) {
            this.subscriptions = tracked;
            return this;
        }

        /**
         * Send subscriptions compressed with the first of these codings each client accepts
         * ({@code Compression.of("gzip")}); default {@link Compression#OFF}.
         */
        public Builder compression(Compression codings) {
            this.compression = Objects.requireNonNull(codings, "compression");
            return this;
        }

        public MercureOptions build() {
            return new MercureOptions(publisherJwt, subscriberJwt, anonymous, cookieName, publishOrigins, corsOrigins,
                    publisherCorsOrigins, subscriptions, compression);
        }
    }
}
