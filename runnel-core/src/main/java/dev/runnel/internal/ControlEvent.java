package dev.runnel.internal;

import dev.runnel.SseEvent;

/** An event made by Runnel itself for one connection (the reset event), already encoded. */
public record ControlEvent(String event, String id, byte[] bytes, int lines) implements Encoded {

    public static ControlEvent of(SseEvent event) {
        return new ControlEvent(event.event(), event.id(), event.encode(), event.dataLineCount());
    }
}
