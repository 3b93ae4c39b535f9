package dev.runnel.jackson;

import dev.runnel.JsonCodec;
import dev.runnel.RenderException;

import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link JsonCodec} backed by a Jackson 3 {@link ObjectMapper}. Maps, collections, arrays, records
 * and beans are written as Jackson writes them; the default mapper needs no modules for records.
 *
 * <p>Thread-safe: a Jackson 3 mapper is immutable once built, so one instance serves every stream.
 *
 * <p>Why Jackson 3 rather than 2: its exceptions are unchecked ({@link JacksonException}), its
 * mappers are immutable and configured through a builder (nothing can reconfigure a shared mapper
 * while streams use it), and it is the line Spring Boot 4 ships, so applications on it already
 * have it on the classpath.
 *
 * <p>A value Jackson cannot write fails with a {@link RenderException} that names the value's type
 * and keeps Jackson's exception as the cause; the stream sends an error event in its place.
 */
public final class JacksonJson implements JsonCodec {

    private final ObjectMapper mapper;

    /** A codec with a default {@link JsonMapper}. */
    public JacksonJson() {
        this(JsonMapper.builder().build());
    }

    /** A codec that writes with {@code mapper}, for custom modules, naming or date formats. */
    public JacksonJson(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String toJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JacksonException e) {
            String type = value == null ? "null" : value.getClass().getName();
            throw new RenderException("cannot write a " + type + " as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
