package dev.runnel.internal;

import dev.runnel.SseEvent;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A rendered value as the flat fields a shared log stores, and back. */
class PreparedFieldsTest {

    @Test
    void everyKindComesBackAsItWent() {
        for (Prepared p : new Prepared[]{
                new Prepared.Plain(new SseEvent("tick", null, 2500L, "a\nb")),
                new Prepared.Plain(new SseEvent(null, null, null, "")),
                new Prepared.Html("<b>7</b>", "count", "outerHTML", "update"),
                new Prepared.Html("<i>x</i>", null, null, null),
                new Prepared.SignalsJson("{\"n\":1}", true, "sig"),
                new Prepared.SignalsJson("{}", false, null)}) {
            assertThat(PreparedFields.parse(PreparedFields.of(p))).isEqualTo(p);
        }
    }

    @Test
    void absentPartsAreLeftOut() {
        assertThat(PreparedFields.of(new Prepared.Plain(SseEvent.of("hi")))).isEqualTo(Map.of("t", "e", "d", "hi"));
        assertThat(PreparedFields.of(new Prepared.Html("<p/>", "panel", null, null))).isEqualTo(Map.of("t", "h", "h", "<p/>", "tg", "panel"));
    }

    @Test
    void fieldsThisVersionDoesNotKnowAreRefusedSayingWhy() {
        assertThatIllegalArgumentException().isThrownBy(() -> PreparedFields.parse(Map.of("t", "z")))
                .withMessageContaining("unknown event kind t=z");
        assertThatIllegalArgumentException().isThrownBy(() -> PreparedFields.parse(Map.of("t", "h")))
                .withMessageContaining("field h is missing");
        assertThatIllegalArgumentException().isThrownBy(() -> PreparedFields.parse(Map.of("t", "e", "d", "x", "r", "soon")))
                .withMessageContaining("field r is not a number");
    }
}
