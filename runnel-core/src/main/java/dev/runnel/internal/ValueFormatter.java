package dev.runnel.internal;

import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.JsonCodec;
import dev.runnel.RenderException;
import dev.runnel.SseEvent;

import java.util.Collection;
import java.util.Map;

/**
 * Turns one value a stream yields into an {@link SseEvent} (spec section 2). Stateless apart from
 * its renderer and codec, so one instance serves every stream.
 */
public final class ValueFormatter {

    private final FragmentRenderer renderer;
    private final JsonCodec json;

    public ValueFormatter(FragmentRenderer renderer, JsonCodec json) {
        this.renderer = renderer;
        this.json = json;
    }

    /**
     * @param defaultEvent event name for values that carry none, or {@code null}
     * @throws Exception when the value cannot be formatted; the caller sends an error event instead
     */
    public SseEvent format(Object value, String defaultEvent) throws Exception {
        return switch (value) {
            case null -> throw new RenderException("a stream value was null");
            case SseEvent event -> event;
            case Fragment fragment -> new SseEvent(fragment.target() != null ? fragment.target() : defaultEvent,
                    null, null, render(fragment));
            case CharSequence text -> new SseEvent(defaultEvent, null, null, text.toString());
            case Map<?, ?> map -> new SseEvent(defaultEvent, null, null, toJson(map));
            case Collection<?> collection -> new SseEvent(defaultEvent, null, null, toJson(collection));
            case Record rec -> new SseEvent(defaultEvent, null, null, toJson(rec));
            default -> new SseEvent(defaultEvent, null, null,
                    value.getClass().isArray() ? toJson(value) : String.valueOf(value));
        };
    }

    /** Renders a fragment's block, stripped; empty HTML is an error. */
    public String render(Fragment fragment) throws Exception {
        if (renderer == null) {
            throw new RenderException("cannot render fragment " + fragment.template() + "#" + fragment.block()
                    + ": no FragmentRenderer is configured (add runnel-pebble, or set one on the engine)");
        }
        String html = renderer.render(fragment);
        String stripped = html == null ? "" : html.strip();
        if (stripped.isEmpty()) {
            throw new RenderException("fragment " + fragment.template() + "#" + fragment.block()
                    + " rendered empty HTML; an empty swap would blank the element");
        }
        return stripped;
    }

    private String toJson(Object value) throws Exception {
        if (json == null) {
            throw new RenderException("cannot send a " + value.getClass().getSimpleName()
                    + " as JSON: no JsonCodec is configured (add runnel-jackson, or set one on the engine)");
        }
        return json.toJson(value);
    }
}
