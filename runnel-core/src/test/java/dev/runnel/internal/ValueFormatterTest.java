package dev.runnel.internal;

import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.JsonCodec;
import dev.runnel.RenderException;
import dev.runnel.SseEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Spec section 2: what each kind of value becomes on the wire. */
class ValueFormatterTest {

    private final List<Object> jsonCalls = new ArrayList<>();
    private final JsonCodec json = value -> {
        jsonCalls.add(value);
        return "{\"json\":true}";
    };
    private final FragmentRenderer renderer = fragment -> "\n  <p>" + fragment.block() + "</p>\n";
    private final ValueFormatter formatter = new ValueFormatter(renderer, json);

    record Point(int x, int y) {
    }

    @Test
    void explicitEventIsSentAsIsWithoutDefaultEvent() throws Exception {
        SseEvent event = new SseEvent(null, "1", 5L, "x");

        assertThat(formatter.format(event, "update")).isSameAs(event);
    }

    @Test
    void stringBecomesDataWithDefaultEvent() throws Exception {
        assertThat(formatter.format("hello", "update")).isEqualTo(SseEvent.of("update", "hello"));
    }

    @Test
    void stringWithoutDefaultEventHasNoEventName() throws Exception {
        assertThat(formatter.format("hello", null)).isEqualTo(SseEvent.of("hello"));
    }

    @Test
    void charSequenceBecomesDataWithDefaultEvent() throws Exception {
        assertThat(formatter.format(new StringBuilder("built"), "update")).isEqualTo(SseEvent.of("update", "built"));
    }

    @Test
    void targetedFragmentUsesTargetAsEventAndStrippedHtml() throws Exception {
        Fragment fragment = Fragment.of("page.html", "clock", Map.of(), "clock");

        assertThat(formatter.format(fragment, "update")).isEqualTo(SseEvent.of("clock", "<p>clock</p>"));
    }

    @Test
    void untargetedFragmentUsesDefaultEvent() throws Exception {
        Fragment fragment = Fragment.of("page.html", "row", Map.of());

        assertThat(formatter.format(fragment, "update")).isEqualTo(SseEvent.of("update", "<p>row</p>"));
    }

    @Test
    void mapIsSentAsJsonWithDefaultEvent() throws Exception {
        Map<String, Integer> map = Map.of("a", 1);

        assertThat(formatter.format(map, "update")).isEqualTo(SseEvent.of("update", "{\"json\":true}"));
        assertThat(jsonCalls).containsExactly(map);
    }

    @Test
    void listIsSentAsJson() throws Exception {
        List<Integer> list = List.of(1, 2);

        assertThat(formatter.format(list, "update").data()).isEqualTo("{\"json\":true}");
        assertThat(jsonCalls).containsExactly(list);
    }

    @Test
    void objectArrayIsSentAsJson() throws Exception {
        String[] array = {"a", "b"};

        assertThat(formatter.format(array, null).data()).isEqualTo("{\"json\":true}");
        assertThat(jsonCalls).containsExactly((Object) array);
    }

    @Test
    void primitiveArrayIsSentAsJson() throws Exception {
        int[] array = {1, 2};

        assertThat(formatter.format(array, null).data()).isEqualTo("{\"json\":true}");
        assertThat(jsonCalls).hasSize(1);
    }

    @Test
    void recordIsSentAsJsonWithDefaultEvent() throws Exception {
        Point point = new Point(1, 2);

        assertThat(formatter.format(point, "update")).isEqualTo(SseEvent.of("update", "{\"json\":true}"));
        assertThat(jsonCalls).containsExactly(point);
    }

    @Test
    void otherObjectIsSentAsToStringWithDefaultEvent() throws Exception {
        Object value = new Object() {
            @Override
            public String toString() {
                return "custom";
            }
        };

        assertThat(formatter.format(value, "update")).isEqualTo(SseEvent.of("update", "custom"));
        assertThat(jsonCalls).isEmpty();
    }

    @Test
    void numberIsSentAsToString() throws Exception {
        assertThat(formatter.format(42, null)).isEqualTo(SseEvent.of("42"));
        assertThat(jsonCalls).isEmpty();
    }

    @Test
    void fragmentWithoutRendererFailsNamingTheMissingRenderer() {
        ValueFormatter noRenderer = new ValueFormatter(null, json);

        assertThatExceptionOfType(RenderException.class)
                .isThrownBy(() -> noRenderer.format(Fragment.of("page.html", "row", Map.of()), null))
                .withMessageContaining("no FragmentRenderer")
                .withMessageContaining("page.html")
                .withMessageContaining("row");
    }

    @Test
    void emptyRenderIsARenderError() {
        ValueFormatter empty = new ValueFormatter(fragment -> "", json);

        assertThatExceptionOfType(RenderException.class)
                .isThrownBy(() -> empty.format(Fragment.of("page.html", "row", Map.of()), null))
                .withMessageContaining("empty");
    }

    @Test
    void whitespaceOnlyRenderIsARenderError() {
        ValueFormatter blank = new ValueFormatter(fragment -> " \n\t ", json);

        assertThatExceptionOfType(RenderException.class)
                .isThrownBy(() -> blank.format(Fragment.of("page.html", "row", Map.of(), "row"), null))
                .withMessageContaining("empty");
    }

    @Test
    void nullRenderIsARenderError() {
        ValueFormatter nothing = new ValueFormatter(fragment -> null, json);

        assertThatExceptionOfType(RenderException.class)
                .isThrownBy(() -> nothing.format(Fragment.of("page.html", "row", Map.of()), null));
    }

    @Test
    void rendererFailurePropagates() {
        IllegalStateException failure = new IllegalStateException("no block row in page.html");
        ValueFormatter failing = new ValueFormatter(fragment -> {
            throw failure;
        }, json);

        assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> failing.format(Fragment.of("page.html", "row", Map.of()), null))
                .isSameAs(failure);
    }

    @Test
    void jsonValueWithoutCodecIsARenderError() {
        ValueFormatter noCodec = new ValueFormatter(renderer, null);

        assertThatExceptionOfType(RenderException.class)
                .isThrownBy(() -> noCodec.format(Map.of("a", 1), null))
                .withMessageContaining("no JsonCodec");
    }

    @Test
    void nullValueIsARenderError() {
        assertThatExceptionOfType(RenderException.class)
                .isThrownBy(() -> formatter.format(null, "update"))
                .withMessageContaining("null");
    }
}
