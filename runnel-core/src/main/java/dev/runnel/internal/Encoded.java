package dev.runnel.internal;

/**
 * A value already in wire form: the writer sends its bytes as they are. The bytes are shared by
 * every connection that sends them and must not be modified.
 */
public interface Encoded {

    /** The wire bytes in {@code dialect}; the same array on every call for one dialect. */
    byte[] bytes(dev.runnel.Dialect dialect);

    /** What identifies the kind of event, for tracing and coalescing; {@code null} for none. */
    String event();

    /** Event id, or {@code null}. */
    String id();

    /** Number of data lines, for tracing. */
    int lines();
}
