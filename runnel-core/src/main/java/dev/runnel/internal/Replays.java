package dev.runnel.internal;

import dev.runnel.hub.Resumed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resuming subscriptions from the {@link TopicStore}'s buffers: where a {@code Last-Event-ID} puts a
 * subscription ({@link #resolve}), and what it is sent first from there ({@link #replay}). Under the
 * store's lock.
 *
 * <p>An id resumes when it is the publisher's id of a buffered event this subscription could receive
 * (the newest with that id), or the hub's {@code EPOCH-SEQ} of this epoch; and only when every topic the
 * subscription selects still holds everything after it, so a replay never leaves a gap unsaid.
 */
final class Replays {

    private final TopicStore store;
    private final boolean publisherIds;

    Replays(TopicStore store, boolean publisherIds) {
        this.store = store;
        this.publisherIds = publisherIds;
    }

    /** Where {@code selection} resumes after {@code lastEventId} ({@code null}: live only). Under the lock. */
    ResumePoint resolve(Selection selection, String lastEventId, boolean earliest) {
        if (earliest) {
            return ResumePoint.EARLIEST;
        }
        if (lastEventId == null) {
            return ResumePoint.NONE;
        }
        if (publisherIds) {
            HubEvent named = store.byPublisherId(lastEventId);
            if (named != null) {
                if (!selection.mayReceive(named, store.cache)) {
                    return ResumePoint.reset("unknown"); // never confirms an event it could not have received
                }
                return complete(selection, named.seq()) ? ResumePoint.after(named.seq()) : ResumePoint.reset("expired");
            }
        }
        EventId parsed = EventId.parse(lastEventId);
        if (parsed == EventId.MALFORMED) {
            return ResumePoint.reset(publisherIds ? "unknown" : "malformed"); // any text may be a publisher's id
        }
        if (!parsed.epoch().equals(store.epoch) || parsed.seq() > store.seq) {
            return ResumePoint.reset("unknown");
        }
        return complete(selection, parsed.seq()) ? ResumePoint.after(parsed.seq()) : ResumePoint.reset("expired");
    }

    /**
     * What {@code selection} is sent first from {@code from}: the events after it that it may receive,
     * in sequence order; a reset event when it cannot resume and {@code resetEvents} allows one; or
     * nothing. Events dropped since the point was resolved make it a reset ({@code expired}): without
     * reset events nothing is sent and the caller must end the subscription, whose answer ({@code FOUND})
     * was given already. Under the lock.
     */
    Resume replay(Selection selection, ResumePoint from, String lastEventId, boolean resetEvents) {
        if (from.outcome() == Resumed.NONE) {
            return Resume.NONE;
        }
        if (from.outcome() == Resumed.NOT_FOUND) {
            return resetEvents ? store.reset(lastEventId, from.resetReason()) : new Resume(List.of(), from.resetReason());
        }
        if (from.outcome() == Resumed.FOUND && !complete(selection, from.seq())) {
            return resetEvents ? store.reset(lastEventId, "expired") : new Resume(List.of(), "expired");
        }
        return new Resume(new ArrayList<>(events(selection, from.seq())), null);
    }

    /** The buffered events after {@code after} that {@code selection} may receive, each once, in sequence order. */
    private List<HubEvent> events(Selection selection, long after) {
        Set<HubEvent> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<HubEvent> missed = new ArrayList<>();
        for (Map.Entry<String, TopicStore.Topic> entry : selected(selection)) {
            TopicStore.Topic t = entry.getValue();
            trimByAge(t);
            for (HubEvent e : t.buffer) {
                if (e.seq() > after && selection.mayRead(e, store.cache) && seen.add(e)) {
                    missed.add(e);
                }
            }
        }
        missed.sort(Comparator.comparingLong(HubEvent::seq));
        return missed;
    }

    /** True when every topic {@code selection} selects still holds everything after {@code after}. */
    private boolean complete(Selection selection, long after) {
        if (after < store.lostThrough()) {
            return false;
        }
        boolean exactOnly = selection.selectors().isEmpty();
        if (after < store.droppedWithTopics()) {
            if (!exactOnly) {
                return false; // a topic that is gone may have matched
            }
            for (String name : selection.topics()) {
                if (store.topic(name) == null) {
                    return false;
                }
            }
        }
        for (Map.Entry<String, TopicStore.Topic> entry : selected(selection)) {
            TopicStore.Topic t = entry.getValue();
            trimByAge(t);
            if (after < t.droppedThrough) {
                return false;
            }
        }
        return true;
    }

    /** Trims {@code t} by age, and drops it if nothing keeps it any more (else nothing would: its events left the budget). */
    private void trimByAge(TopicStore.Topic t) {
        t.trimByAge();
        store.pruneIfIdle(t.name, t);
    }

    /** The topics held that {@code selection} selects: its exact ones directly, else every topic asked. */
    private List<Map.Entry<String, TopicStore.Topic>> selected(Selection selection) {
        List<Map.Entry<String, TopicStore.Topic>> out = new ArrayList<>();
        if (selection.selectors().isEmpty()) {
            for (String name : selection.topics()) {
                TopicStore.Topic t = store.topic(name);
                if (t != null) {
                    out.add(Map.entry(name, t));
                }
            }
            return out;
        }
        for (Map.Entry<String, TopicStore.Topic> entry : store.topics().entrySet()) {
            if (selection.selects(entry.getKey(), store.cache)) {
                out.add(entry);
            }
        }
        return out;
    }
}
