package dev.runnel.internal;

import dev.runnel.Dialect;
import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.JsonCodec;
import dev.runnel.RenderException;
import dev.runnel.Signals;
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
     * The event for {@code value} in the {@link Dialect#HTMX2} dialect.
     *
     * @param defaultEvent event name for values that carry none, or {@code null}
     * @throws Exception when the value cannot be formatted; the caller sends an error event instead
     */
    public SseEvent format(Object value, String defaultEvent) throws Exception {
        return format(value, defaultEvent, Dialect.HTMX2);
    }

    /** The event for {@code value} in {@code dialect}. */
    public SseEvent format(Object value, String defaultEvent, Dialect dialect) throws Exception {
        return prepare(value, defaultEvent).toEvent(dialect);
    }

    /** Renders or serializes {@code value}: the dialect-neutral, expensive half of formatting. */
    public Prepared prepare(Object value, String defaultEvent) throws Exception {
        return switch (value) {
            case null -> throw new RenderException("a stream value was null");
            case SseEvent event -> new Prepared.Plain(event);
            case Fragment fragment -> new Prepared.Html(render(fragment), fragment.target(), fragment.swap(), defaultEvent);
            case Signals signals -> new Prepared.SignalsJson(toJson(signals.values()), signals.onlyIfMissing(), defaultEvent);
            case CharSequence text -> plain(defaultEvent, text.toString());
            case Map<?, ?> map -> plain(defaultEvent, toJson(map));
            case Collection<?> collection -> plain(defaultEvent, toJson(collection));
            case Record rec -> plain(defaultEvent, toJson(rec));
            default -> plain(defaultEvent, value.getClass().isArray() ? toJson(value) : String.valueOf(value));
        };
    }

    private static Prepared plain(String event, String data) {
        return new Prepared.Plain(new SseEvent(event, null, null, data));
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
