package dev.runnel.mercure.internal;

import dev.runnel.BadRequestException;
import dev.runnel.SseEvent;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Update;

import java.util.List;
import java.util.UUID;

/**
 * A publication as the draft of the mercure 0.x line defines it ("Publication"): the form fields
 * {@code topic} (repeated: canonical first, then alternates), {@code data}, {@code private} (set
 * with any value, even empty), {@code id}, {@code type} and {@code retry}, checked, and the
 * {@link Update} they make. A later draft's fields would be read by a class beside this one.
 *
 * @param topics the canonical topic, then the alternates
 * @param data the update's data (empty when absent)
 * @param id the publisher's id, or {@code null}
 * @param type the SSE event name, or {@code null}
 * @param retry the SSE retry in milliseconds, or {@code null}
 * @param isPrivate whether only authorized subscribers may receive it
 */
public record Draft0Publication(List<String> topics, String data, String id, String type, Long retry, boolean isPrivate) {

    /** What every Mercure path starts with: no publisher may name a topic holding it. */
    public static final String WELL_KNOWN = "/.well-known/mercure";

    /**
     * Reads the publication from a form.
     *
     * @throws BadRequestException for no topic, an empty or overlong topic, too many topics, an
     *     {@code id} starting with {@code #}, holding CR, LF or NUL, or the reserved {@code earliest},
     *     a {@code type} holding CR, LF or NUL, or a {@code retry} that is not a whole number of
     *     milliseconds
     */
    public static Draft0Publication read(FormFields form) {
        List<String> topics = form.all("topic");
        if (topics.isEmpty()) {
            throw new BadRequestException("missing \"topic\": an update needs at least one topic");
        }
        if (topics.size() > Hub.MAX_UPDATE_TOPICS) {
            throw new BadRequestException("too many topics: " + topics.size() + ", at most " + Hub.MAX_UPDATE_TOPICS);
        }
        for (String topic : topics) {
            if (!Hub.isValidUpdateTopic(topic, Hub.MAX_TOPIC_LENGTH)) {
                throw new BadRequestException("invalid \"topic\": 1 to " + Hub.MAX_TOPIC_LENGTH
                        + " characters without control characters");
            }
        }
        String id = emptyAsNull(form.first("id"));
        if (id != null) {
            if (id.startsWith("#")) {
                throw new BadRequestException("invalid \"id\": it must not start with '#'");
            }
            if (id.equals("earliest")) {
                // a subscriber sending it back would get the whole history, not the updates after it
                throw new BadRequestException("invalid \"id\": \"earliest\" is reserved");
            }
            if (hasLineBreakOrNul(id) || id.length() > Hub.MAX_ID_LENGTH) {
                throw new BadRequestException("invalid \"id\": at most " + Hub.MAX_ID_LENGTH
                        + " characters without CR, LF or NUL");
            }
        }
        String type = emptyAsNull(form.first("type"));
        if (type != null && hasLineBreakOrNul(type)) {
            throw new BadRequestException("invalid \"type\": it must not hold CR, LF or NUL");
        }
        String retryText = emptyAsNull(form.first("retry"));
        Long retry = null;
        if (retryText != null) {
            if (!retryText.matches("[0-9]{1,18}")) {
                throw new BadRequestException("invalid \"retry\": a whole number of milliseconds");
            }
            retry = Long.parseLong(retryText);
        }
        String data = form.first("data");
        return new Draft0Publication(topics, data == null ? "" : data, id, type, retry, form.has("private"));
    }

    /** Whether a topic reaches into the hub's own paths (its subscription events), which publishers may not. */
    public boolean namesReservedTopic() {
        return topics.stream().anyMatch(t -> t.contains(WELL_KNOWN));
    }

    /** The update to publish: the publisher's id, else a new {@code urn:uuid:} (the draft wants an IRI). */
    public Update update() {
        SseEvent event = new SseEvent(type, null, retry, data);
        Update update = Update.of(topics, event).withId(id != null ? id : newId());
        return isPrivate ? update.asPrivate() : update;
    }

    /** A new update id: a {@code urn:uuid:} IRI. */
    public static String newId() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    private static String emptyAsNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static boolean hasLineBreakOrNul(String value) {
        return value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0;
    }
}
