package dev.runnel.jetty;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete, non-streaming response.
 *
 * @param status HTTP status code
 * @param contentType media type of the body, or {@code null} for none
 * @param body the body bytes
 * @param headers extra headers
 */
public record HttpResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public HttpResponse {
        body = body == null ? new byte[0] : body;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** {@code 200} with an HTML page. */
    public static HttpResponse html(String html) {
        return new HttpResponse(200, "text/html; charset=utf-8", utf8(html), null);
    }

    /** {@code 200} with a JSON body the caller already wrote. */
    public static HttpResponse json(String json) {
        return new HttpResponse(200, "application/json", utf8(json), null);
    }

    /** A plain-text response; the text should be one line for errors. */
    public static HttpResponse text(int status, String text) {
        return new HttpResponse(status, "text/plain; charset=utf-8", utf8(text.endsWith("\n") ? text : text + "\n"), null);
    }

    /** A copy with one more header. */
    public HttpResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpResponse(status, contentType, body, more);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
