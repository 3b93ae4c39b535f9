package dev.runnel.internal;

import dev.runnel.hub.Hub;
import dev.runnel.hub.Resumed;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A subscription the hub made once it passed the hub's checks (selectors, count, access), with where
 * it resumes already resolved: the handle through which the stream's lifecycle opens it on one
 * connection. Only Runnel's hub makes one (its constructor is not public), so an
 * {@link dev.runnel.EventStream.Subscribed} always carries a selection the hub checked.
 */
public final class Subscription {

    private final TopicHub hub;
    private final Selection selection;
    private final String lastEventId;
    private final ResumePoint from;
    private final boolean resetEvents;
    private final List<Runnable> endActions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();

    Subscription(TopicHub hub, Selection selection, String lastEventId, ResumePoint from, boolean resetEvents) {
        this.hub = hub;
        this.selection = selection;
        this.lastEventId = lastEventId;
        this.from = from;
        this.resetEvents = resetEvents;
    }

    /** The hub that made it. */
    public Hub hub() {
        return hub;
    }

    /** Its exact topics, each once, in the order asked. */
    public List<String> topics() {
        return selection.topics();
    }

    /** The id to resume after, or {@code null} for none. */
    public String lastEventId() {
        return lastEventId;
    }

    /** How it resumes: known before the response starts. */
    public Resumed resumed() {
        return from.outcome();
    }

    /**
     * Runs {@code action} once when the stream serving this subscription has ended (its response
     * complete or aborted, the subscription gone from the hub), whatever ended it; at once if it
     * already has.
     */
    public void whenEnded(Runnable action) {
        endActions.add(java.util.Objects.requireNonNull(action, "action"));
        if (ended.get() && endActions.remove(action)) {
            runSafely(action);
        }
    }

    /** Runs the end actions, once; one that throws is logged and does not keep the others from running. */
    void ended() {
        if (ended.compareAndSet(false, true)) {
            for (Runnable action : endActions) {
                if (endActions.remove(action)) {
                    runSafely(action);
                }
            }
        }
    }

    private static void runSafely(Runnable action) {
        try {
            action.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            System.getLogger("dev.runnel").log(Level.ERROR, "an action run when a subscription ended failed", t);
        }
    }

    /** A new queue for one connection, bounded as the hub's options say. */
    ValueChannel newChannel() {
        return hub.newChannel();
    }

    /** One connection's subscriber on {@code channel}; {@code cutOff} ends its stream as too slow. */
    Subscriber subscriber(ValueChannel channel, Runnable cutOff) {
        return new Subscriber(selection, channel, hub.options().slowClients(), cutOff);
    }

    /** Queues what {@code sub} missed, then makes it receive every new event it selects. */
    void attach(Subscriber sub) {
        hub.attach(sub, from, lastEventId, resetEvents);
    }

    /** Stops {@code sub} receiving events. Idempotent. */
    void detach(Subscriber sub) {
        hub.detach(sub);
    }
}
