package dev.runnel;

import java.util.Locale;

/**
 * How a {@link Fragment} (and {@link Signals}) is put on the wire for the library on the page. Other
 * values (strings, JSON, explicit events) are sent the same way in every dialect.
 *
 * <p>A fragment's target is an element id; each dialect addresses it its own way, and every dialect
 * swaps the rendered HTML into that element by default (htmx's {@code innerHTML}). A fragment's
 * {@code swap} may use htmx's names ({@code innerHTML}, {@code outerHTML}, {@code beforeend},
 * {@code afterbegin}, {@code beforebegin}, {@code afterend}, {@code delete}) in any dialect; Datastar
 * dialects translate them.
 */
public enum Dialect {

    /**
     * htmx 2 with its SSE extension: the event name is the target, matched by {@code sse-swap}; the
     * data is the HTML. The default.
     */
    HTMX2,

    /**
     * htmx 4 with {@code hx-sse:connect}: named events are not swapped, so a fragment goes on an
     * unnamed event as {@code <hx-partial hx-target="#id">HTML</hx-partial>}; an untargeted
     * fragment's HTML is swapped into the connecting element's target.
     */
    HTMX4,

    /**
     * Datastar 1.0: {@code event: datastar-patch-elements} with {@code selector #id},
     * {@code mode inner} (or the fragment's swap) and one {@code elements} line per line of HTML;
     * {@link Signals} as {@code datastar-patch-signals}.
     */
    DATASTAR,

    /**
     * Datastar 1.0.0-beta.11 (the version on npm): {@code event: datastar-merge-fragments} with
     * {@code selector}, {@code mergeMode} and {@code fragments} lines; {@link Signals} as
     * {@code datastar-merge-signals}.
     */
    DATASTAR_BETA;

    /**
     * The dialect a request's headers point to: Datastar sends {@code Datastar-Request: true} (taken
     * as Datastar 1.0), htmx 4 sends {@code HX-Request-Type}; anything else, a browser's own
     * {@code EventSource} included, is {@link #HTMX2}. Pages on Datastar's beta choose
     * {@link #DATASTAR_BETA} explicitly.
     */
    public static Dialect detect(RequestContext request) {
        if (request.header("Datastar-Request").map("true"::equalsIgnoreCase).orElse(false)) {
            return DATASTAR;
        }
        if (request.header("HX-Request-Type").isPresent()) {
            return HTMX4;
        }
        return HTMX2;
    }

    /**
     * The event for a fragment's rendered HTML.
     *
     * @param html the rendered, stripped HTML
     * @param target element id, or {@code null}
     * @param swap swap style, or {@code null} for the dialect's inner-HTML swap
     * @param defaultEvent the stream's default event name, used by {@link #HTMX2} for untargeted fragments
     */
    public SseEvent fragment(String html, String target, String swap, String defaultEvent) {
        return switch (this) {
            case HTMX2 -> new SseEvent(target != null ? target : defaultEvent, null, null, html);
            case HTMX4 -> SseEvent.of(target == null ? html : "<hx-partial hx-target=\"#" + target + "\""
                    + (swap == null ? "" : " hx-swap=\"" + escapeAttribute(swap) + "\"") + ">" + html + "</hx-partial>");
            case DATASTAR -> SseEvent.of("datastar-patch-elements",
                    datastarLines(target, "mode", datastarMode(swap, false), "elements", html));
            case DATASTAR_BETA -> SseEvent.of("datastar-merge-fragments",
                    datastarLines(target, "mergeMode", datastarMode(swap, true), "fragments", html));
        };
    }

    /**
     * The event for signals (a JSON object): Datastar's patch/merge-signals event, or for htmx the
     * JSON as data under the stream's default event name ({@code signals} for htmx 4, which would
     * otherwise swap it into the page).
     */
    public SseEvent signals(String json, boolean onlyIfMissing, String defaultEvent) {
        return switch (this) {
            case HTMX2 -> new SseEvent(defaultEvent, null, null, json);
            // htmx 4 swaps unnamed events into the page: signals get a name, so they arrive as a DOM event
            case HTMX4 -> new SseEvent(defaultEvent != null ? defaultEvent : "signals", null, null, json);
            case DATASTAR, DATASTAR_BETA -> SseEvent.of(this == DATASTAR ? "datastar-patch-signals" : "datastar-merge-signals",
                    (onlyIfMissing ? "onlyIfMissing true\n" : "") + prefixLines("signals ", json));
        };
    }

    private static String datastarLines(String target, String modeKey, String mode, String htmlKey, String html) {
        StringBuilder sb = new StringBuilder();
        if (target != null) {
            sb.append("selector #").append(target).append('\n');
        }
        if (mode != null) {
            sb.append(modeKey).append(' ').append(mode).append('\n');
        }
        return sb.append(prefixLines(htmlKey + " ", html)).toString();
    }

    /** Datastar's name for a swap: htmx names are translated, Datastar's own pass through. */
    private static String datastarMode(String swap, boolean beta) {
        if (swap == null) {
            return "inner";
        }
        // htmx's modifiers ("innerHTML swap:1s settle:200ms") mean nothing to Datastar: the style is the first word
        String style = swap.strip().split("\\s+", 2)[0];
        return switch (style.toLowerCase(Locale.ROOT)) {
            case "innerhtml", "inner" -> "inner";
            case "outerhtml", "outer" -> "outer";
            case "beforeend", "append" -> "append";
            case "afterbegin", "prepend" -> "prepend";
            case "beforebegin", "before" -> "before";
            case "afterend", "after" -> "after";
            case "delete", "remove" -> beta ? "outer" : "remove";
            case "morph" -> beta ? "morph" : "outer";
            default -> throw new IllegalArgumentException("swap \"" + swap + "\" has no Datastar equivalent");
        };
    }

    /** Every line of {@code text} (CRLF, CR or LF separated) prefixed: how Datastar carries multi-line values. */
    private static String prefixLines(String prefix, String text) {
        StringBuilder sb = new StringBuilder(text.length() + 32);
        for (String line : text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(prefix).append(line);
        }
        return sb.toString();
    }

    private static String escapeAttribute(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
