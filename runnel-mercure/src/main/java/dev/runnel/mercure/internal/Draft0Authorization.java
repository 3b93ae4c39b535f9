package dev.runnel.mercure.internal;

import dev.runnel.mercure.MercureClaims;
import dev.runnel.mercure.TopicSelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a token's {@code mercure} claim allows, as the draft of the mercure 0.x line says
 * ("Authorization"): {@code mercure.publish} selectors must match every topic of an update;
 * {@code mercure.subscribe} selectors decide which private updates a subscriber receives (one of the
 * update's topics, canonical or alternate, matching one of them) and which subscription API URLs it
 * may read. The next draft's {@code authorization_details} would be read by a class beside this one.
 */
public final class Draft0Authorization {

    private Draft0Authorization() {
    }

    /** Whether {@code claims} allow publishing on every one of {@code topics}: never without publish selectors. */
    public static boolean mayPublish(MercureClaims claims, List<String> topics) {
        List<TopicSelector> selectors = selectors(claims.publish());
        if (selectors.isEmpty()) {
            return false;
        }
        for (String topic : topics) {
            if (selectors.stream().noneMatch(s -> s.matches(topic))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code claims} grant any publishing at all. */
    public static boolean grantsPublishing(MercureClaims claims) {
        return !selectors(claims.publish()).isEmpty();
    }

    /** Whether {@code claims} allow reading {@code url} (a subscription API path, percent-encoding kept). */
    public static boolean mayRead(MercureClaims claims, String url) {
        return selectors(claims.subscribe()).stream().anyMatch(s -> s.matches(url));
    }

    /** The hub's selectors for the topics whose private updates {@code claims} grant. */
    public static List<dev.runnel.hub.TopicSelector> privateSelectors(MercureClaims claims) {
        List<dev.runnel.hub.TopicSelector> out = new ArrayList<>();
        for (String selector : claims.subscribe().orElse(List.of())) {
            dev.runnel.hub.TopicSelector converted = hubSelector(selector);
            if (!out.contains(converted)) {
                out.add(converted);
            }
        }
        return out;
    }

    /**
     * The hub's selector for a Mercure selector: {@code *} takes every topic; a template with
     * expressions matches as the draft says (the same string, or a topic it expands to); anything
     * else (a plain IRI, or a string that is not a template) is an exact topic, looked up directly.
     */
    public static dev.runnel.hub.TopicSelector hubSelector(String selector) {
        if (selector.equals("*")) {
            return dev.runnel.hub.TopicSelector.ANY;
        }
        TopicSelector mercure = TopicSelector.of(selector);
        if (mercure.isTemplate() && selector.indexOf('{') >= 0) {
            // keyed apart from other code's matchers on the same hub: one key, one meaning
            return dev.runnel.hub.TopicSelector.matching("mercure:" + selector, mercure::matches);
        }
        return dev.runnel.hub.TopicSelector.exact(selector);
    }

    private static List<TopicSelector> selectors(Optional<List<String>> claim) {
        return claim.orElse(List.of()).stream().map(TopicSelector::of).toList();
    }
}
