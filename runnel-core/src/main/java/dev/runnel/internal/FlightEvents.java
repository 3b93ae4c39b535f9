package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.RequestContext;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder events Runnel commits, in category "Runnel", so a recording of a production
 * incident shows which streams opened and closed and why, which clients were cut off and which
 * reconnects replayed. Each is an instant event without a stack trace, and is filled in and
 * committed only while a recording enables it ({@code shouldCommit()}); otherwise it costs an
 * allocation the JIT removes.
 */
public final class FlightEvents {

    private FlightEvents() {
    }

    @Name("dev.runnel.StreamOpened")
    @Label("Stream Opened")
    @Category("Runnel")
    @Description("An SSE stream began; its response is about to start")
    @StackTrace(false)
    public static final class StreamOpened extends Event {
        @Label("Stream Id")
        long streamId;
        @Label("Route")
        String route;
        @Label("Path")
        String path;
        @Label("Topics")
        @Description("Hub topics, comma-separated; empty for other streams")
        String topics;
    }

    @Name("dev.runnel.StreamClosed")
    @Label("Stream Closed")
    @Category("Runnel")
    @Description("An SSE stream ended and its response is complete")
    @StackTrace(false)
    public static final class StreamClosed extends Event {
        @Label("Stream Id")
        long streamId;
        @Label("Route")
        String route;
        @Label("Reason")
        @Description("completed, failed, client_closed, send_failed, write_timeout, slow_client, shutdown, closed_by_application or max_age")
        String reason;
        @Label("Stream Duration")
        @Timespan(Timespan.NANOSECONDS)
        long streamDuration;
        @Label("Events Written")
        long events;
        @Label("Bytes Written")
        @DataAmount
        long bytes;
    }

    @Name("dev.runnel.StreamRefused")
    @Label("Stream Refused")
    @Category("Runnel")
    @Description("A request for a stream was answered with an error status; no stream opened")
    @StackTrace(false)
    public static final class StreamRefused extends Event {
        @Label("Route")
        String route;
        @Label("Path")
        String path;
        @Label("Status")
        int status;
        @Label("Reason")
        String reason;
    }

    /** Commits a {@link StreamRefused} event when a recording wants it. */
    public static void streamRefused(RequestContext request, EngineMetrics.Refusal reason) {
        StreamRefused event = new StreamRefused();
        if (event.shouldCommit()) {
            event.route = RouteName.of(request);
            event.path = request.path();
            event.status = reason.status();
            event.reason = reason.tag();
            event.commit();
        }
    }

    @Name("dev.runnel.SlowClientCutOff")
    @Label("Slow Client Cut Off")
    @Category("Runnel")
    @Description("A hub subscriber's outbound queue was full, so its connection is cut off")
    @StackTrace(false)
    public static final class SlowClientCutOff extends Event {
        @Label("Stream Id")
        long streamId;
        @Label("Route")
        String route;
        @Label("Queued Events")
        int queuedEvents;
        @Label("Queued Bytes")
        @DataAmount
        long queuedBytes;
    }

    @Name("dev.runnel.Replay")
    @Label("Replay")
    @Category("Runnel")
    @Description("A subscriber came back with a Last-Event-ID: it was given what it missed, or a reset event")
    @StackTrace(false)
    public static final class Replay extends Event {
        @Label("Topics")
        String topics;
        @Label("Last-Event-ID")
        String lastEventId;
        @Label("Events Replayed")
        int events;
        @Label("Reset Reason")
        @Description("expired, unknown or malformed when the id could not be resumed from; null for a replay")
        String resetReason;
    }
}
