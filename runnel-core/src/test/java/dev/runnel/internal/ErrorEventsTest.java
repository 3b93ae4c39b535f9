package dev.runnel.internal;

import dev.runnel.Fragment;
import dev.runnel.RenderException;
import dev.runnel.SseEvent;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Spec section 3, items 5 and 6: the events sent in place of a failure. */
class ErrorEventsTest {

    @Test
    void productionRenderErrorIsGeneric() {
        SseEvent event = ErrorEvents.renderError(Fragment.of("t.html", "b", Map.of(), "clock"),
                new RenderException("secret detail"), false);

        assertThat(event).isEqualTo(SseEvent.of("error", "Event rendering failed"));
    }

    @Test
    void debugRenderErrorOfTargetedFragmentIsEscapedHtmlBlockUnderTarget() {
        Fragment fragment = Fragment.of("t.html", "a&<b>\"'", Map.of(), "clock");
        RenderException error = new RenderException("bad <x> & \"y\" 'z'");

        SseEvent event = ErrorEvents.renderError(fragment, error, true);

        assertThat(event.event()).isEqualTo("clock");
        assertThat(event.data()).isEqualTo(
                "<div class=\"runnel-block-error\" data-block=\"a&amp;&lt;b&gt;&quot;&#39;\">"
                        + "<strong>RenderException</strong>: bad &lt;x&gt; &amp; &quot;y&quot; &#39;z&#39;</div>");
    }

    @Test
    void debugRenderErrorOfUntargetedFragmentIsTypeAndMessage() {
        SseEvent event = ErrorEvents.renderError(Fragment.of("t.html", "b", Map.of()),
                new RenderException("block b not found"), true);

        assertThat(event).isEqualTo(SseEvent.of("error", "RenderException: block b not found"));
    }

    @Test
    void debugRenderErrorOfPlainValueIsTypeAndMessage() {
        SseEvent event = ErrorEvents.renderError(Map.of(), new IllegalStateException("boom"), true);

        assertThat(event).isEqualTo(SseEvent.of("error", "IllegalStateException: boom"));
    }

    @Test
    void productionProducerErrorIsGeneric() {
        SseEvent event = ErrorEvents.producerError(new IllegalStateException("secret detail"), false);

        assertThat(event).isEqualTo(SseEvent.of("error", "Internal server error"));
    }

    @Test
    void debugProducerErrorCarriesTheStackTrace() {
        SseEvent event = ErrorEvents.producerError(new IllegalStateException("boom"), true);

        assertThat(event.event()).isEqualTo("error");
        assertThat(event.data())
                .startsWith("java.lang.IllegalStateException: boom")
                .contains("\tat dev.runnel.internal.ErrorEventsTest.debugProducerErrorCarriesTheStackTrace(");
        assertThat(event.dataLineCount()).isGreaterThan(1);
    }

    @Test
    void escapeHtmlEscapesTheFiveSpecialCharacters() {
        assertThat(ErrorEvents.escapeHtml("&<>\"' ok")).isEqualTo("&amp;&lt;&gt;&quot;&#39; ok");
    }
}
