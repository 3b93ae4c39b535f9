package dev.runnel.internal;

import dev.runnel.Dialect;
import dev.runnel.SseEvent;

/**
 * A value after the expensive, dialect-neutral work (template rendering, JSON) and before the
 * dialect's framing: what the hub keeps, so one render serves every dialect.
 */
public sealed interface Prepared {

    /** The event in {@code dialect}'s wire form. */
    SseEvent toEvent(Dialect dialect);

    /** What identifies "the same kind of event" for latest-value-wins coalescing, in every dialect. */
    String key();

    /** An event sent the same way in every dialect. */
    record Plain(SseEvent event) implements Prepared {
        @Override
        public SseEvent toEvent(Dialect dialect) {
            return event;
        }

        @Override
        public String key() {
            return event.event();
        }
    }

    /** A rendered fragment. */
    record Html(String html, String target, String swap, String defaultEvent) implements Prepared {
        @Override
        public SseEvent toEvent(Dialect dialect) {
            return dialect.fragment(html, target, swap, defaultEvent);
        }

        @Override
        public String key() {
            return target != null ? "#" + target : defaultEvent;
        }
    }

    /** Signals written as JSON. */
    record SignalsJson(String json, boolean onlyIfMissing, String defaultEvent) implements Prepared {
        @Override
        public SseEvent toEvent(Dialect dialect) {
            return dialect.signals(json, onlyIfMissing, defaultEvent);
        }

        @Override
        public String key() {
            return "signals";
        }
    }
}
