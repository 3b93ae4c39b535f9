package dev.runnel.mercure;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a verified token grants, read from its {@code mercure} claim.
 *
 * <p>An absent member differs from an empty one only for the record: for publishing, the draft
 * treats both as "no topic"; for private updates, both as "none".
 *
 * @param publish the topic selectors of {@code mercure.publish}, if present
 * @param subscribe the topic selectors of {@code mercure.subscribe}, if present
 * @param payload {@code mercure.payload} as JSON text (any JSON value, re-serialized compactly),
 *     if present and not {@code null}
 * @param expiresAt the token's {@code exp}, if any: when a subscription it authorizes must end
 */
public record MercureClaims(
        Optional<List<String>> publish,
        Optional<List<String>> subscribe,
        Optional<String> payload,
        Optional<Instant> expiresAt) {

    /** Claims granting nothing: what an anonymous subscriber has. */
    public static final MercureClaims NONE =
            new MercureClaims(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Copies the lists, so the claims cannot change after the fact. */
    public MercureClaims {
        Objects.requireNonNull(publish, "publish");
        Objects.requireNonNull(subscribe, "subscribe");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expiresAt, "expiresAt");
        publish = publish.map(List::copyOf);
        subscribe = subscribe.map(List::copyOf);
    }
}
