package dev.runnel.mercure.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.runnel.mercure.InvalidTokenException;
import dev.runnel.mercure.MercureClaims;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code mercure} claim of a verified token, refusing any shape the draft does not give it. */
public final class MercureClaimReader {

    private static final String WRAPPER = "{\"p\":";

    private MercureClaimReader() {}

    /** The claim the draft names. */
    public static final String CLAIM = "mercure";
    /** The namespaced claim older publishers send; when present, the reference hub reads it instead. */
    public static final String NAMESPACED_CLAIM = "https://mercure.rocks/";

    /**
     * The claims granted by {@code claims} (as nimbus parsed them: values are maps, lists,
     * strings, numbers, booleans or {@code null}), expiring at {@code expiresAt} if not {@code null}.
     */
    public static MercureClaims read(Map<String, Object> claims, Instant expiresAt) throws InvalidTokenException {
        Optional<Instant> expiry = Optional.ofNullable(expiresAt);
        String name = claims.get(NAMESPACED_CLAIM) != null ? NAMESPACED_CLAIM : CLAIM;
        Object mercure = claims.get(name);
        if (mercure == null) {
            return new MercureClaims(Optional.empty(), Optional.empty(), Optional.empty(), expiry);
        }
        if (!(mercure instanceof Map<?, ?> object)) {
            throw new InvalidTokenException("claim '" + name + "' must be a JSON object");
        }
        return new MercureClaims(
                selectors(object.get("publish"), "publish"),
                selectors(object.get("subscribe"), "subscribe"),
                json(object.get("payload")),
                expiry);
    }

    private static Optional<List<String>> selectors(Object value, String member) throws InvalidTokenException {
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidTokenException("claim 'mercure." + member + "' must be an array of strings");
        }
        List<String> selectors = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new InvalidTokenException("claim 'mercure." + member + "' must hold strings only");
            }
            selectors.add(s);
        }
        return Optional.of(selectors);
    }

    /** Any JSON value back to compact JSON text, by the JSON library nimbus parsed it with. */
    private static Optional<String> json(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        String wrapped = JSONObjectUtils.toJSONString(Map.of("p", value));
        return Optional.of(wrapped.substring(WRAPPER.length(), wrapped.length() - 1));
    }
}
