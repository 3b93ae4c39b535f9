package dev.runnel;

import dev.runnel.hub.HubOptions;
import dev.runnel.internal.ErrorEvents;
import dev.runnel.internal.HubEvent;
import dev.runnel.internal.TopicHub;
import dev.runnel.internal.ValueFormatter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The same fragment in each client library's framing. */
class DialectTest {

    private static final String HTML = "<time>12:00</time>\n<small>UTC</small>";

    private static String wire(SseEvent event) {
        return new String(event.encode(), StandardCharsets.UTF_8);
    }

    @Test
    void htmx2NamesTheEventAfterTheTarget() {
        assertThat(wire(Dialect.HTMX2.fragment(HTML, "clock", null, "update")))
                .isEqualTo("event: clock\ndata: <time>12:00</time>\ndata: <small>UTC</small>\n\n");
        assertThat(wire(Dialect.HTMX2.fragment(HTML, null, null, "update"))).startsWith("event: update\n");
    }

    @Test
    void htmx4SendsAnUnnamedPartialAimedAtTheTarget() {
        assertThat(wire(Dialect.HTMX4.fragment(HTML, "clock", null, "update")))
                .isEqualTo("data: <hx-partial hx-target=\"#clock\"><time>12:00</time>\ndata: <small>UTC</small></hx-partial>\n\n");
        assertThat(wire(Dialect.HTMX4.fragment("<p>x</p>", "log", "beforeend", null)))
                .isEqualTo("data: <hx-partial hx-target=\"#log\" hx-swap=\"beforeend\"><p>x</p></hx-partial>\n\n");
        assertThat(wire(Dialect.HTMX4.fragment("<p>x</p>", null, null, "update"))).isEqualTo("data: <p>x</p>\n\n");
    }

    @Test
    void datastarPatchesElementsWithOneElementsLinePerHtmlLine() {
        assertThat(wire(Dialect.DATASTAR.fragment(HTML, "clock", null, "update"))).isEqualTo(
                "event: datastar-patch-elements\ndata: selector #clock\ndata: mode inner\n"
                        + "data: elements <time>12:00</time>\ndata: elements <small>UTC</small>\n\n");
        assertThat(wire(Dialect.DATASTAR.fragment("<li>x</li>", "log", "beforeend", null)))
                .contains("data: mode append\n");
    }

    @Test
    void datastarBetaMergesFragments() {
        assertThat(wire(Dialect.DATASTAR_BETA.fragment(HTML, "clock", null, null))).isEqualTo(
                "event: datastar-merge-fragments\ndata: selector #clock\ndata: mergeMode inner\n"
                        + "data: fragments <time>12:00</time>\ndata: fragments <small>UTC</small>\n\n");
        assertThat(wire(Dialect.DATASTAR_BETA.fragment("<p id=\"x\">y</p>", null, "outerHTML", null)))
                .isEqualTo("event: datastar-merge-fragments\ndata: mergeMode outer\ndata: fragments <p id=\"x\">y</p>\n\n");
    }

    @Test
    void aSwapWithoutADatastarEquivalentIsRefusedByName() {
        assertThatThrownBy(() -> Dialect.DATASTAR.fragment("<p/>", "x", "textContent", null))
                .hasMessageContaining("textContent");
    }

    @Test
    void signalsAreDatastarPatchesOrPlainJsonForHtmx() {
        assertThat(wire(Dialect.DATASTAR.signals("{\"count\":1}", false, null)))
                .isEqualTo("event: datastar-patch-signals\ndata: signals {\"count\":1}\n\n");
        assertThat(wire(Dialect.DATASTAR_BETA.signals("{\"count\":1}", true, null)))
                .isEqualTo("event: datastar-merge-signals\ndata: onlyIfMissing true\ndata: signals {\"count\":1}\n\n");
        assertThat(wire(Dialect.HTMX2.signals("{\"count\":1}", false, "state"))).isEqualTo("event: state\ndata: {\"count\":1}\n\n");
    }

    @Test
    void theDialectIsDetectedFromTheRequestHeaders() {
        assertThat(Dialect.detect(RequestContext.of("/"))).isEqualTo(Dialect.HTMX2);
        assertThat(Dialect.detect(withHeader("Datastar-Request", "true"))).isEqualTo(Dialect.DATASTAR);
        assertThat(Dialect.detect(withHeader("HX-Request-Type", "partial"))).isEqualTo(Dialect.HTMX4);
        assertThat(Dialect.detect(withHeader("HX-Request", "true"))).isEqualTo(Dialect.HTMX2);
    }

    @Test
    void aDebugRenderErrorIsFramedForTheDialect() {
        Fragment broken = Fragment.of("page", "missing", Map.of(), "panel");
        SseEvent event = ErrorEvents.renderError(broken, new RenderException("no block <missing>"), true, Dialect.DATASTAR);
        assertThat(wire(event)).startsWith("event: datastar-patch-elements\ndata: selector #panel\n")
                .contains("elements <div class=\"runnel-block-error\" data-block=\"missing\"><strong>RenderException</strong>: no block &lt;missing&gt;</div>");
    }

    @Test
    void aPublishedFragmentIsRenderedOnceAndEncodedOncePerDialect() throws Exception {
        AtomicInteger renders = new AtomicInteger();
        FragmentRenderer renderer = f -> {
            renders.incrementAndGet();
            return "<b>1</b>";
        };
        TopicHub hub = new TopicHub(new ValueFormatter(renderer, null), null, HubOptions.DEFAULTS);
        String id = hub.publish("t", Fragment.of("page", "count", Map.of(), "count")).id();
        HubEvent event = replayed(hub, id);
        byte[] htmx2 = event.bytes(Dialect.HTMX2);
        byte[] datastar = event.bytes(Dialect.DATASTAR);
        assertThat(event.bytes(Dialect.DATASTAR)).isSameAs(datastar);
        assertThat(event.bytes(Dialect.HTMX2)).isSameAs(htmx2);
        assertThat(new String(htmx2, StandardCharsets.UTF_8)).isEqualTo("event: count\nid: " + id + "\ndata: <b>1</b>\n\n");
        assertThat(new String(datastar, StandardCharsets.UTF_8)).isEqualTo(
                "event: datastar-patch-elements\nid: " + id + "\ndata: selector #count\ndata: mode inner\ndata: elements <b>1</b>\n\n");
        assertThat(renders).hasValue(1);
    }

    /** The stored event with {@code id}, read through a subscriber that resumes from just before it. */
    private static HubEvent replayed(TopicHub hub, String id) throws Exception {
        String before = id.substring(0, id.lastIndexOf('-') + 1) + (Long.parseLong(id.substring(id.lastIndexOf('-') + 1)) - 1);
        return dev.runnel.internal.HubProbe.replayOne(hub, before, "t");
    }

    private static RequestContext withHeader(String name, String value) {
        return new RequestContext("GET", "/", null, null, Map.of(name, List.of(value)), null, null, null, null);
    }
}
