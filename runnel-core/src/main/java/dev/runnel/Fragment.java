package dev.runnel;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named block of a template, rendered to HTML and sent as one event.
 *
 * <p>The event name is the {@code target} when one is given (htmx's {@code sse-swap} matches on
 * it), else the stream's default event name. The rendered HTML has leading and trailing whitespace
 * stripped; an empty result is a render error, since swapping it in would blank the element.
 *
 * @param template template name, as the configured {@link FragmentRenderer} resolves it
 * @param block block name inside the template
 * @param context variables for the render; copied, never {@code null}
 * @param target id of the element the fragment is for ({@code [A-Za-z_][A-Za-z0-9_-]*}, no
 *     {@code #}), or {@code null}
 * @param swap how a client dialect should swap it in (for example {@code innerHTML}), or {@code null}
 */
public record Fragment(String template, String block, Map<String, Object> context, String target, String swap) {

    private static final Pattern TARGET = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    public Fragment {
        requireText("template", template);
        requireText("block", block);
        context = context == null ? Map.of() : copyOf(context);
        if (target != null && !TARGET.matcher(target).matches()) {
            throw new IllegalArgumentException("Fragment.target must be an element id matching "
                    + TARGET.pattern() + " (no '#'), got \"" + target + '"');
        }
    }

    /** An untargeted fragment. */
    public static Fragment of(String template, String block, Map<String, ?> context) {
        return new Fragment(template, block, new java.util.LinkedHashMap<String, Object>(context), null, null);
    }

    /** A fragment for the element with id {@code target}. */
    public static Fragment of(String template, String block, Map<String, ?> context, String target) {
        return new Fragment(template, block, new java.util.LinkedHashMap<String, Object>(context), target, null);
    }

    /** A copy aimed at another element id. */
    public Fragment withTarget(String newTarget) {
        return new Fragment(template, block, context, newTarget, swap);
    }

    /** A copy with a swap style for the client dialect. */
    public Fragment withSwap(String newSwap) {
        return new Fragment(template, block, context, target, newSwap);
    }

    private static Map<String, Object> copyOf(Map<String, Object> context) {
        // Map.copyOf refuses null values, which templates legitimately use.
        return context.values().stream().anyMatch(Objects::isNull)
                ? java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(context))
                : Map.copyOf(context);
    }

    private static void requireText(String field, String value) {
        Objects.requireNonNull(value, () -> "Fragment." + field + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException("Fragment." + field + " must not be blank");
        }
    }
}
