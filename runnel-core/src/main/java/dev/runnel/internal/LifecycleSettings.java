package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.TraceSink;

import java.time.Duration;

/**
 * What every stream of one engine shares.
 *
 * @param formatter turns values into events
 * @param debug send error details to the client
 * @param closeEvent name of the event sent when a stream ends, or {@code null}
 * @param retry retry meta event for every stream, or {@code null}
 * @param trace trace sink, or {@code null}
 * @param grace how long a cancelled producer may take to finish
 * @param maxStreamAge streams older than this end (the client reconnects), or {@code null} for never
 * @param metrics what counts streams and events; {@link EngineMetrics#NOOP} for nothing
 * @param clock the engine's clock, which wakes writers whose heartbeat is due
 * @param loops the engine's write loops, for hub subscriptions on transports that write without
 *              blocking; {@code null} to write every stream from a thread of its own
 */
public record LifecycleSettings(ValueFormatter formatter, boolean debug, String closeEvent, Duration retry,
                                TraceSink trace, Duration grace, Duration maxStreamAge,
                                EngineMetrics metrics, DueClock clock, WriteLoops loops) {
}
