package dev.runnel.internal;

import dev.runnel.SseEvent;

/** An event made by Runnel itself for one connection (the reset event), already encoded. */
public record ControlEvent(String event, String id, byte[] bytes, int lines) implements Encoded {

    /** The same bytes in every dialect: Runnel's own events are not fragments. */
    @Override
    public byte[] bytes(dev.runnel.Dialect dialect) {
        return bytes;
    }

    public static ControlEvent of(SseEvent event) {
        return new ControlEvent(event.event(), event.id(), event.encode(), event.dataLineCount());
    }
}
