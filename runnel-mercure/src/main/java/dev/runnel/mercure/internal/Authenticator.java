package dev.runnel.mercure.internal;

import dev.runnel.RequestContext;
import dev.runnel.UnauthorizedException;
import dev.runnel.mercure.BearerToken;
import dev.runnel.mercure.InvalidTokenException;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.mercure.MercureClaims;
import dev.runnel.mercure.TokenExtractor;
import dev.runnel.mercure.TokenSource;

import java.util.List;
import java.util.Optional;

/**
 * Finds a request's token where the draft says (header, else {@code authorization} query
 * parameter, else cookie) and verifies it: a token that is present must be valid, wherever
 * anonymous requests are served.
 */
public final class Authenticator {

    /** A verified token: what it grants and where it came from. */
    public record Authenticated(MercureClaims claims, TokenSource source) {
    }

    private final TokenExtractor extractor;

    public Authenticator(String cookieName) {
        this.extractor = new TokenExtractor(cookieName);
    }

    /**
     * The request's verified token, or empty when it presents none.
     *
     * @throws UnauthorizedException when the token that must be used is malformed, badly signed,
     *     expired or not yet valid
     */
    public Optional<Authenticated> authenticate(RequestContext request, JwtVerifier verifier) {
        Optional<BearerToken> token;
        try {
            token = extractor.extract(request.headers().getOrDefault("Authorization", List.of()),
                    request.query().getOrDefault("authorization", List.of()),
                    request.headers().getOrDefault("Cookie", List.of()));
        } catch (InvalidTokenException e) {
            throw new UnauthorizedException("invalid token: " + e.getMessage());
        }
        if (token.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Authenticated(verifier.verify(token.get().value()), token.get().source()));
        } catch (InvalidTokenException e) {
            throw new UnauthorizedException("invalid token: " + e.getMessage());
        }
    }
}
