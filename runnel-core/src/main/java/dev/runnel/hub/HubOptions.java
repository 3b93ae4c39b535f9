package dev.runnel.hub;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the hub. Every field has a default; see {@link #DEFAULTS}.
 *
 * @param replayCount events kept per topic for replay; 0 to 1,000,000, default 1000
 * @param replayAge how long an event stays replayable; default 5 minutes
 * @param maxQueuedEvents events a subscriber may have waiting to be written; default 512
 * @param maxQueuedBytes bytes a subscriber may have waiting to be written; default 256 KiB
 * @param slowClients what to do with a subscriber whose queue is full; default {@link SlowClientPolicy#DISCONNECT}
 * @param access who may subscribe and publish; default allows everything
 * @param maxTopics most topics the hub keeps at once; default 10,000
 * @param maxReplayBytes most bytes the replay buffers of all topics hold together; past it the oldest
 *        events go first, whatever their topic, and a resume from before them gets the {@code expired}
 *        reset. An event counts twice its encoded size (the bytes sent and the text they were encoded
 *        from) plus {@value #REPLAY_EVENT_OVERHEAD} bytes. At least 1024; default 64 MiB
 * @param maxHistory most events the hub holds for replay, all topics together (an update on several
 *        topics counts once); past it the oldest go first. On a {@link HubLog} it is also how many the log
 *        keeps, so a node that starts loads at most this many. 1 to 10,000,000; default 100,000
 * @param maxSelectors most selectors one {@link SubscribeRequest} may name; more is a bad request.
 *        1 to 10,000; default 100
 * @param publisherIds whether an {@link Update} may carry its publisher's id (then its id on the wire,
 *        and what a {@code Last-Event-ID} resumes after); default false: the hub gives every id
 */
public record HubOptions(int replayCount, Duration replayAge, int maxQueuedEvents, long maxQueuedBytes,
                         SlowClientPolicy slowClients, TopicAccess access, int maxTopics, long maxReplayBytes,
                         int maxHistory, int maxSelectors, boolean publisherIds) {

    /** What an event in a replay buffer counts beyond its bytes, for the objects that hold it. */
    public static final int REPLAY_EVENT_OVERHEAD = 128;

    /** Every default. */
    public static final HubOptions DEFAULTS = new HubOptions(1000, Duration.ofMinutes(5), 512, 256 * 1024,
            SlowClientPolicy.DISCONNECT, TopicAccess.ALLOW_ALL, 10_000, 64L << 20, 100_000, 100, false);

    public HubOptions {
        if (replayCount < 0 || replayCount > 1_000_000) {
            throw new IllegalArgumentException("replayCount must be from 0 to 1000000, got " + replayCount);
        }
        Objects.requireNonNull(replayAge, "replayAge");
        if (replayAge.isNegative()) {
            throw new IllegalArgumentException("replayAge must be >= 0, got " + replayAge);
        }
        if (maxQueuedEvents < 1) {
            throw new IllegalArgumentException("maxQueuedEvents must be >= 1, got " + maxQueuedEvents);
        }
        if (maxQueuedBytes < 1024) {
            throw new IllegalArgumentException("maxQueuedBytes must be >= 1024, got " + maxQueuedBytes);
        }
        Objects.requireNonNull(slowClients, "slowClients");
        Objects.requireNonNull(access, "access");
        if (maxTopics < 1) {
            throw new IllegalArgumentException("maxTopics must be >= 1, got " + maxTopics);
        }
        if (maxReplayBytes < 1024) {
            throw new IllegalArgumentException("maxReplayBytes must be >= 1024, got " + maxReplayBytes);
        }
        if (maxHistory < 1 || maxHistory > 10_000_000) {
            throw new IllegalArgumentException("maxHistory must be from 1 to 10000000, got " + maxHistory);
        }
        if (maxSelectors < 1 || maxSelectors > 10_000) {
            throw new IllegalArgumentException("maxSelectors must be from 1 to 10000, got " + maxSelectors);
        }
    }

    public HubOptions withReplay(int count, Duration age) {
        return new HubOptions(count, age, maxQueuedEvents, maxQueuedBytes, slowClients, access, maxTopics, maxReplayBytes, maxHistory, maxSelectors, publisherIds);
    }

    public HubOptions withQueueLimits(int events, long bytes) {
        return new HubOptions(replayCount, replayAge, events, bytes, slowClients, access, maxTopics, maxReplayBytes, maxHistory, maxSelectors, publisherIds);
    }

    public HubOptions withSlowClients(SlowClientPolicy policy) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, policy, access, maxTopics, maxReplayBytes, maxHistory, maxSelectors, publisherIds);
    }

    public HubOptions withAccess(TopicAccess rule) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, slowClients, rule, maxTopics, maxReplayBytes, maxHistory, maxSelectors, publisherIds);
    }

    public HubOptions withMaxTopics(int topics) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, slowClients, access, topics, maxReplayBytes, maxHistory, maxSelectors, publisherIds);
    }

    public HubOptions withMaxReplayBytes(long bytes) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, slowClients, access, maxTopics, bytes, maxHistory, maxSelectors, publisherIds);
    }

    public HubOptions withMaxHistory(int events) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, slowClients, access, maxTopics, maxReplayBytes, events, maxSelectors, publisherIds);
    }

    public HubOptions withMaxSelectors(int selectors) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, slowClients, access, maxTopics, maxReplayBytes, maxHistory, selectors, publisherIds);
    }

    public HubOptions withPublisherIds(boolean allowed) {
        return new HubOptions(replayCount, replayAge, maxQueuedEvents, maxQueuedBytes, slowClients, access, maxTopics, maxReplayBytes, maxHistory, maxSelectors, allowed);
    }
}
