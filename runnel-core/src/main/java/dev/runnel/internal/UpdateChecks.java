package dev.runnel.internal;

import dev.runnel.BadRequestException;
import dev.runnel.hub.Hub;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.hub.TopicSelector;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The hub's checks of what callers give it: an update's topics and id, a subscription's selectors. */
final class UpdateChecks {

    /** Most private selectors a subscription may carry. */
    static final int MAX_PRIVATE_SELECTORS = 10_000;

    /** How much of a topic or id an error message shows. */
    private static final int SHOWN = 80;

    private UpdateChecks() {
    }

    /** Throws {@link IllegalArgumentException} unless there are 1 to 100 topics, each valid and at most {@code maxLength} chars. */
    static void topics(List<String> topics, int maxLength) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("an update needs at least one topic");
        }
        if (topics.size() > Hub.MAX_UPDATE_TOPICS) {
            throw new IllegalArgumentException("an update may have at most " + Hub.MAX_UPDATE_TOPICS + " topics, got " + topics.size());
        }
        for (String topic : topics) {
            if (!Hub.isValidUpdateTopic(topic, maxLength)) {
                throw new IllegalArgumentException(invalid("topic", topic, maxLength));
            }
        }
    }

    /**
     * Throws {@link IllegalArgumentException} unless {@code id} can be an SSE id: 1 to 1024 chars, no CR, LF
     * or NUL, no unpaired surrogate (UTF-8 cannot carry one: the id a client sent back would differ).
     */
    static void id(String id) {
        if (id.isEmpty() || id.length() > Hub.MAX_ID_LENGTH || id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\0') >= 0
                || hasUnpairedSurrogate(id)) {
            throw new IllegalArgumentException("invalid event id '" + shown(id) + "' (" + id.length()
                    + " chars): use 1 to " + Hub.MAX_ID_LENGTH + " chars without CR, LF, NUL or unpaired surrogates");
        }
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The selection {@code wanted} asks for, each selector once: exact topics apart from the others.
     *
     * @throws BadRequestException for no selector, more than {@code maxSelectors} (or private ones), or a malformed topic
     */
    static Selection selection(SubscribeRequest wanted, int maxSelectors) {
        Set<TopicSelector> unique = new LinkedHashSet<>(wanted.selectors());
        if (unique.isEmpty()) {
            throw new BadRequestException("subscribe with at least one topic selector");
        }
        if (unique.size() > maxSelectors) {
            throw new BadRequestException("at most " + maxSelectors + " topic selectors per subscription, got " + unique.size());
        }
        Set<TopicSelector> authorized = new LinkedHashSet<>(wanted.privateSelectors());
        // what a subscription may read comes from the server (a token's grants, say), not from the client's
        // request: bounded for sanity only, not by maxSelectors
        if (authorized.size() > MAX_PRIVATE_SELECTORS) {
            throw new BadRequestException("at most " + MAX_PRIVATE_SELECTORS + " private topic selectors per subscription, got " + authorized.size());
        }
        List<String> topics = new ArrayList<>();
        List<TopicSelector> others = new ArrayList<>();
        for (TopicSelector s : unique) {
            if (s instanceof TopicSelector.Exact exact) {
                if (!Hub.isValidUpdateTopic(exact.topic(), Hub.MAX_SERVER_TOPIC_LENGTH)) {
                    throw new BadRequestException(invalid("topic", exact.topic(), Hub.MAX_SERVER_TOPIC_LENGTH));
                }
                topics.add(exact.topic());
            } else {
                if (s instanceof TopicSelector.Matching m && m.key().length() > Hub.MAX_SERVER_TOPIC_LENGTH) {
                    throw new BadRequestException("a topic selector's key is " + m.key().length() + " chars; at most " + Hub.MAX_SERVER_TOPIC_LENGTH);
                }
                others.add(s);
            }
        }
        return new Selection(List.copyOf(topics), List.copyOf(others), List.copyOf(authorized));
    }

    /** {@code text} cut for an error message, control characters shown as {@code ?}. */
    static String shown(String text) {
        if (text == null) {
            return "null";
        }
        String cut = text.length() > SHOWN ? text.substring(0, SHOWN) + "..." : text;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) || Character.isSurrogate((char) c) && c < 0x10000 ? '?' : c));
        return b.toString();
    }

    private static String invalid(String what, String value, int maxLength) {
        return "invalid " + what + " '" + shown(value) + "'" + (value == null ? "" : " (" + value.length() + " chars)")
                + ": use 1 to " + maxLength + " chars without control characters";
    }
}
