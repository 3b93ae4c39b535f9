package dev.runnel;

/**
 * Writes a value as JSON text. Implemented by {@code runnel-jackson}. Used for values a stream
 * yields that are maps, collections, arrays or records.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface JsonCodec {

    /**
     * @return the JSON text of {@code value}
     * @throws Exception when the value cannot be written as JSON
     */
    String toJson(Object value) throws Exception;
}
