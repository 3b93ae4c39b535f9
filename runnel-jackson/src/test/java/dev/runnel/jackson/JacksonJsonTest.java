package dev.runnel.jackson;

import dev.runnel.RenderException;
import dev.runnel.SseEvent;
import dev.runnel.internal.ValueFormatter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JacksonJsonTest {

    record Point(int x, int y) {
    }

    record Stats(String name, List<Point> points, Map<String, Integer> counts) {
    }

    /** Jackson finds the getter and calls it; the exception it throws cannot be written. */
    static final class Broken {
        public String getValue() {
            throw new IllegalStateException("sensor offline");
        }
    }

    private final JacksonJson json = new JacksonJson();

    @Test
    void mapIsWrittenAsObject() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", 1);
        map.put("b", "two");
        assertThat(json.toJson(map)).isEqualTo("{\"a\":1,\"b\":\"two\"}");
    }

    @Test
    void listIsWrittenAsArray() {
        assertThat(json.toJson(List.of(1, "x", true))).isEqualTo("[1,\"x\",true]");
    }

    @Test
    void javaArrayIsWrittenAsArray() {
        assertThat(json.toJson(new int[] {1, 2, 3})).isEqualTo("[1,2,3]");
    }

    @Test
    void recordIsWrittenByComponentNames() {
        assertThat(json.toJson(new Point(3, 4))).isEqualTo("{\"x\":3,\"y\":4}");
    }

    @Test
    void nestedValuesAreWrittenRecursively() {
        Stats stats = new Stats("cpu", List.of(new Point(1, 2)), Map.of("n", 7));
        assertThat(json.toJson(stats))
                .isEqualTo("{\"name\":\"cpu\",\"points\":[{\"x\":1,\"y\":2}],\"counts\":{\"n\":7}}");
    }

    @Test
    void givenMapperIsUsed() {
        JacksonJson snake = new JacksonJson(JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build());
        record Reading(int sensorId) {
        }
        assertThat(snake.toJson(new Reading(5))).isEqualTo("{\"sensor_id\":5}");
    }

    @Test
    void valueJacksonCannotWriteFailsNamingItsType() {
        assertThatThrownBy(() -> json.toJson(new Broken()))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining(Broken.class.getName())
                .hasMessageContaining("sensor offline")
                .rootCause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void selfReferencingMapFails() {
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put("self", loop);
        // Jackson stops at its nesting-depth limit instead of overflowing the stack
        assertThatThrownBy(() -> json.toJson(loop))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("java.util.LinkedHashMap");
    }

    @Test
    void formatterSendsMapAsJsonEvent() throws Exception {
        SseEvent event = new ValueFormatter(null, new JacksonJson()).format(Map.of("a", 1), "stats");
        assertThat(event.event()).isEqualTo("stats");
        assertThat(event.data()).isEqualTo("{\"a\":1}");
    }
}
