package dev.runnel.spring.boot;

import dev.runnel.mercure.JwtAlgorithm;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.mercure.MercureOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;
import java.util.function.Supplier;

/**
 * Settings of the Mercure hub at {@code /.well-known/mercure}, under {@code runnel.mercure.*}; the
 * hub is on when {@code runnel-mercure} is on the class path and {@code publisher-jwt-key} is set.
 * A value the hub cannot use stops the application at startup with a message that names the property.
 *
 * @param publisherJwtKey the key publishers' tokens are verified with: the secret for HMAC, else a
 *     PEM public key or certificate
 * @param publisherJwtAlgorithm HS256 (default), HS384, HS512, RS256, RS384, RS512, ES256, ES384 or ES512
 * @param subscriberJwtKey the key subscribers' tokens are verified with; the publishers' when not set
 * @param subscriberJwtAlgorithm the subscribers' algorithm; the publishers' when not set
 * @param anonymous serve subscribers without a token, public updates only (default false)
 * @param subscriptions announce and list active subscriptions (default false)
 * @param cookieName the authorization cookie's name (default mercureAuthorization)
 * @param publishOrigins origins (scheme://host[:port], or *) a publish authorized by the cookie may come from
 * @param corsOrigins origins whose pages may subscribe cross-origin, with credentials
 * @param publisherCorsOrigins origins whose pages may publish cross-origin
 */
@ConfigurationProperties("runnel.mercure")
public record MercureProperties(
        String publisherJwtKey,
        @DefaultValue("HS256") String publisherJwtAlgorithm,
        String subscriberJwtKey,
        String subscriberJwtAlgorithm,
        @DefaultValue("false") boolean anonymous,
        @DefaultValue("false") boolean subscriptions,
        String cookieName,
        @DefaultValue List<String> publishOrigins,
        @DefaultValue List<String> corsOrigins,
        @DefaultValue List<String> publisherCorsOrigins) {

    public MercureProperties {
        publishOrigins = List.copyOf(publishOrigins);
        corsOrigins = List.copyOf(corsOrigins);
        publisherCorsOrigins = List.copyOf(publisherCorsOrigins);
        checked("runnel.mercure.publisher-jwt-algorithm", () -> JwtAlgorithm.parse(publisherJwtAlgorithm));
        if (subscriberJwtAlgorithm != null) {
            checked("runnel.mercure.subscriber-jwt-algorithm", () -> JwtAlgorithm.parse(subscriberJwtAlgorithm));
        }
        if (publisherJwtKey != null) {
            options(publisherJwtKey, publisherJwtAlgorithm, subscriberJwtKey, subscriberJwtAlgorithm, anonymous, subscriptions,
                    cookieName, publishOrigins, corsOrigins, publisherCorsOrigins);
        }
    }

    /** The hub's options. */
    public MercureOptions options() {
        return options(publisherJwtKey, publisherJwtAlgorithm, subscriberJwtKey, subscriberJwtAlgorithm, anonymous, subscriptions,
                cookieName, publishOrigins, corsOrigins, publisherCorsOrigins);
    }

    private static MercureOptions options(String publisherJwtKey, String publisherJwtAlgorithm, String subscriberJwtKey,
                                          String subscriberJwtAlgorithm, boolean anonymous, boolean subscriptions, String cookieName,
                                          List<String> publishOrigins, List<String> corsOrigins, List<String> publisherCorsOrigins) {
        if (publisherJwtKey == null) {
            throw new IllegalStateException("runnel.mercure.publisher-jwt-key is not set: the Mercure hub needs the publishers' key");
        }
        JwtVerifier publisher = checked("runnel.mercure.publisher-jwt-key",
                () -> JwtVerifier.of(publisherJwtAlgorithm, publisherJwtKey));
        JwtVerifier subscriber = subscriberJwtKey == null && subscriberJwtAlgorithm == null ? publisher
                : checked("runnel.mercure.subscriber-jwt-key", () -> JwtVerifier.of(
                        subscriberJwtAlgorithm == null ? publisherJwtAlgorithm : subscriberJwtAlgorithm,
                        subscriberJwtKey == null ? publisherJwtKey : subscriberJwtKey));
        MercureOptions.Builder options = MercureOptions.builder()
                .publisherJwt(publisher)
                .subscriberJwt(subscriber)
                .anonymous(anonymous)
                .subscriptions(subscriptions);
        if (cookieName != null) {
            checked("runnel.mercure.cookie-name", () -> options.cookieName(cookieName).build());
        }
        checked("runnel.mercure.publish-origins", () -> options.publishOrigins(publishOrigins).build());
        checked("runnel.mercure.cors-origins", () -> options.corsOrigins(corsOrigins).build());
        checked("runnel.mercure.publisher-cors-origins", () -> options.publisherCorsOrigins(publisherCorsOrigins).build());
        return options.build();
    }

    /** {@code work}'s result; its {@link IllegalArgumentException} again, prefixed with the property's name. */
    private static <T> T checked(String property, Supplier<T> work) {
        try {
            return work.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }
}
