package dev.runnel.internal;

import dev.runnel.EngineMetrics;

import java.util.List;

/** What a subscriber coming back with a Last-Event-ID is given first: the events it missed, or a reset. */
record Resume(List<Object> values, String resetReason) {

    static final Resume NONE = new Resume(List.of(), null);

    /** Reports this resume of {@code sub} to the metrics and the flight recorder, outside the hub's lock. */
    void report(EngineMetrics metrics, Subscriber sub, String lastEventId) {
        if (resetReason != null) {
            StreamObserver.guarded(() -> metrics.reset(resetReason), "reset");
        } else {
            StreamObserver.guarded(() -> metrics.replayed(values.size()), "replayed");
        }
        FlightEvents.Replay event = new FlightEvents.Replay();
        if (event.shouldCommit()) {
            event.topics = String.join(",", sub.topics);
            event.lastEventId = EventId.shown(lastEventId);
            event.events = resetReason == null ? values.size() : 0;
            event.resetReason = resetReason;
            event.commit();
        }
    }
}
