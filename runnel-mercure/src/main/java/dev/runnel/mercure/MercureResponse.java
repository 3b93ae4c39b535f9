package dev.runnel.mercure;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A complete answer of the Mercure hub that is not a stream (a publish, a preflight, the
 * subscriptions API, a refusal), for a server adapter to translate as it is.
 *
 * @param status the HTTP status
 * @param contentType the body's media type, or {@code null} for no body
 * @param body the body text (UTF-8), empty for none
 * @param headers more headers to send, in order
 */
public record MercureResponse(int status, String contentType, String body, Map<String, String> headers) {

    public MercureResponse {
        body = body == null ? "" : body;
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A plain-text answer: {@code text} is sent exactly as given. */
    public static MercureResponse text(int status, String text) {
        return new MercureResponse(status, "text/plain; charset=utf-8", Objects.requireNonNull(text, "text"), null);
    }

    /** A copy with one more header (replacing one of the same name). */
    public MercureResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new MercureResponse(status, contentType, body, more);
    }

    /** The body as UTF-8 bytes. */
    public byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
