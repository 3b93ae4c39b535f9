package dev.runnel.transport;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP answer that is not a stream: a status, a one-line plain-text message and, for a refusal
 * that passes, how long the client should wait before trying again. {@link HttpPolicy} makes them;
 * a server adapter only translates one to its server's response: the status, {@link #headers()},
 * {@link HttpPolicy#TEXT_PLAIN} and {@link #body()}.
 *
 * @param status the HTTP status, from 400 to 599
 * @param message what the client is told; made one line (every control character, CR and LF
 *     included, becomes a space), so it cannot split the body or be mistaken for more than one line
 * @param retryAfter the {@code Retry-After} to send, in whole seconds; {@code null} for none
 */
public record ErrorStatus(int status, String message, Duration retryAfter) {

    public ErrorStatus {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is from 400 to 599, got " + status);
        }
        message = oneLine(Objects.requireNonNull(message, "message"));
        if (retryAfter != null && (retryAfter.isNegative() || retryAfter.toMillis() % 1000 != 0)) {
            throw new IllegalArgumentException("Retry-After is a whole number of seconds, got " + retryAfter);
        }
    }

    /**
     * The headers to send besides {@code Content-Type}: {@code Retry-After} when there is one, and
     * for a {@code 401} the challenge RFC 9110 requires ({@code WWW-Authenticate: Bearer}).
     */
    public Map<String, String> headers() {
        if (status == 401) {
            return retryAfter == null ? Map.of("WWW-Authenticate", "Bearer")
                    : Map.of("WWW-Authenticate", "Bearer", "Retry-After", Long.toString(retryAfter.toSeconds()));
        }
        return retryAfter == null ? Map.of() : Map.of("Retry-After", Long.toString(retryAfter.toSeconds()));
    }

    /** The response body: the message and a line feed. */
    public String body() {
        return message + "\n";
    }

    private static String oneLine(String text) {
        StringBuilder line = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (line == null) {
                    line = new StringBuilder(text);
                }
                line.setCharAt(i, ' ');
            }
        }
        return line == null ? text : line.toString();
    }
}
