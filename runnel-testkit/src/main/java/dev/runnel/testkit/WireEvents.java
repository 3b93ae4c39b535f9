package dev.runnel.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the text of a Runnel response into its events, for assertions. Runnel writes LF line ends
 * only, which is all this handles; it is not a general SSE parser (that is the client's).
 */
public final class WireEvents {

    /** One event block: its fields, {@code null} when absent; {@code data} lines joined by LF. */
    public record Event(String event, String id, String data) {
    }

    private WireEvents() {
    }

    /** The complete events in {@code text} (comments and a trailing partial block are skipped). */
    public static List<Event> parse(String text) {
        List<Event> events = new ArrayList<>();
        int end = text.lastIndexOf("\n\n");
        if (end < 0) {
            return events;
        }
        for (String block : text.substring(0, end).split("\n\n")) {
            String event = null;
            String id = null;
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ") || line.equals("data:")) {
                    String value = line.length() > 6 ? line.substring(6) : "";
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            if (data != null) {
                events.add(new Event(event, id, data.toString()));
            }
        }
        return events;
    }
}
