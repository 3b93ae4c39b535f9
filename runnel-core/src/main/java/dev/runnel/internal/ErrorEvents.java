package dev.runnel.internal;

import dev.runnel.Dialect;
import dev.runnel.Fragment;
import dev.runnel.SseEvent;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The events sent in place of a value that failed to render, and after a producer failed. */
public final class ErrorEvents {

    static final String RENDER_FAILED = "Event rendering failed";
    static final String INTERNAL_ERROR = "Internal server error";

    private ErrorEvents() {
    }

    /**
     * The event that replaces a value whose formatting failed. In debug mode a targeted fragment gets
     * an inline HTML block under its own event name, so the broken block shows where it belongs.
     */
    public static SseEvent renderError(Object value, Throwable error, boolean debug) {
        return renderError(value, error, debug, Dialect.HTMX2);
    }

    /** {@link #renderError(Object, Throwable, boolean)} with the inline block in {@code dialect}'s framing. */
    public static SseEvent renderError(Object value, Throwable error, boolean debug, Dialect dialect) {
        if (!debug) {
            return SseEvent.of("error", RENDER_FAILED);
        }
        if (value instanceof Fragment fragment && fragment.target() != null) {
            String html = "<div class=\"runnel-block-error\" data-block=\"" + escapeHtml(fragment.block()) + "\">"
                    + "<strong>" + escapeHtml(error.getClass().getSimpleName()) + "</strong>: "
                    + escapeHtml(String.valueOf(error.getMessage())) + "</div>";
            return dialect.fragment(html, fragment.target(), null, null);
        }
        return SseEvent.of("error", error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    /** The event sent after the application's stream threw; without a cause, the generic one in either mode. */
    public static SseEvent producerError(Throwable error, boolean debug) {
        if (!debug || error == null) {
            return SseEvent.of("error", INTERNAL_ERROR);
        }
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return SseEvent.of("error", trace.toString().stripTrailing());
    }

    /** Escapes the five characters that matter in HTML text and attribute values. */
    public static String escapeHtml(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
