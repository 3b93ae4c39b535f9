package dev.runnel;

import java.util.Objects;

/**
 * One Server-Sent Event: optional {@code event}, {@code id} and {@code retry} fields and the data.
 *
 * <p>Instances are immutable and validated on construction: {@code event} and {@code id} must not
 * contain CR, LF or NUL (the wire format has no way to escape them), {@code retry} must be zero or
 * more milliseconds. An empty or {@code null} event or id is simply not written. Data may hold any
 * text; line breaks in it become separate {@code data:} lines.
 *
 * <p>{@link #encode()} gives the UTF-8 wire bytes. The bytes depend only on the event, so one
 * encoding can be written to any number of connections.
 *
 * @param event event name, or {@code null} for the browser's default {@code message}
 * @param id event id (an opaque string), or {@code null}
 * @param retry reconnection delay in milliseconds, or {@code null}
 * @param data the payload, never {@code null}
 */
public record SseEvent(String event, String id, Long retry, String data) {

    public SseEvent {
        Objects.requireNonNull(data, "SseEvent.data must not be null (use \"\" for an empty data line)");
        requireSingleLine("event", event);
        requireSingleLine("id", id);
        if (retry != null && retry < 0) {
            throw new IllegalArgumentException("SseEvent.retry must be >= 0 milliseconds, got " + retry);
        }
        if (event != null && event.isEmpty()) {
            event = null;
        }
        if (id != null && id.isEmpty()) {
            id = null;
        }
    }

    /** An event with only data. */
    public static SseEvent of(String data) {
        return new SseEvent(null, null, null, data);
    }

    /** An event with a name and data. */
    public static SseEvent of(String event, String data) {
        return new SseEvent(event, null, null, data);
    }

    /** A copy with the given event name ({@code null} or empty removes it). */
    public SseEvent withEvent(String name) {
        return new SseEvent(name, id, retry, data);
    }

    /** A copy with the given id ({@code null} or empty removes it). */
    public SseEvent withId(String newId) {
        return new SseEvent(event, newId, retry, data);
    }

    /** A copy with the given retry in milliseconds ({@code null} removes it). */
    public SseEvent withRetry(Long millis) {
        return new SseEvent(event, id, millis, data);
    }

    /** A copy with other data. */
    public SseEvent withData(String newData) {
        return new SseEvent(event, id, retry, newData);
    }

    /** The UTF-8 wire form of this event, ending with the blank line that dispatches it. */
    public byte[] encode() {
        return SseEncoder.encode(this);
    }

    /** Number of {@code data:} lines this event is written as. */
    public int dataLineCount() {
        return SseEncoder.dataLineCount(data);
    }

    private static void requireSingleLine(String field, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                String name = c == '\r' ? "CR" : c == '\n' ? "LF" : "NUL";
                throw new IllegalArgumentException("SseEvent." + field + " must not contain CR, LF or NUL; found "
                        + name + " at index " + i + " in " + quote(value));
            }
        }
    }

    private static String quote(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return '"' + shown.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0") + '"';
    }
}
