package dev.runnel.hub;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The log a hub runs on when it spans several nodes: it puts every published event in one order
 * across all topics, keeps recent events for replay, and lets each node read the topics its
 * subscribers use. {@code runnel-redis}'s {@code RedisHubLog} keeps it in Redis Streams. Give one to
 * {@link dev.runnel.SseEngine.Builder#hubLog}; the engine's hub then publishes through it, delivers
 * what it reads to its own subscribers (encoded once, as in memory), and closes it on shutdown.
 *
 * <p>This interface is for implementers; applications only pass one to the engine. Positions are
 * sequence numbers within an <em>epoch</em>: the log hands out 1, 2, 3, ... across all topics, and
 * starts a new epoch (a string that was never used before) when it lost its data or went back to
 * an older state (a restored copy, a replica that lagged), so that ids from before are recognised:
 * within one epoch a sequence number never names two events. A {@link #read} that finds the log
 * behind what this node already read must answer with the new epoch. An event's id on the wire is
 * {@code EPOCH-SEQ}.
 *
 * <p>Threading: {@link #append}, {@link #head} and {@link #wake} are called from any thread; {@link #read} and
 * {@link #await} only from the hub's one reader thread; {@link #ping} from health checks. Every
 * method that talks to the store throws {@link HubUnavailableException} when it cannot.
 */
public interface HubLog extends AutoCloseable {

    /**
     * Appends one event to {@code topic}'s log with the next sequence number, keeping at least the
     * newest {@code retain} entries of that topic.
     *
     * @param fields the event, as the hub wrote it; the log stores and returns them unchanged
     * @throws HubUnavailableException when the store cannot be reached; nothing was appended, unless
     *     the message says the connection broke during the call
     */
    Position append(String topic, Map<String, String> fields, int retain);

    /**
     * The log's epoch and head now, from any thread: where a subscriber that gives no
     * {@code Last-Event-ID} starts, so it misses nothing published after it subscribed.
     *
     * @throws HubUnavailableException when the store cannot be reached
     */
    Position head();

    /**
     * Reads, as of one instant: the log's epoch, its head, its clock, and for each topic in
     * {@code after} the entries with a sequence number above the given one. When {@code epoch} is
     * {@code null} or not the log's epoch, no entries are read (the caller learns the epoch first).
     */
    Batch read(String epoch, Map<String, Long> after);

    /**
     * Blocks until one of {@code topics} may have entries above {@code after}, {@link #wake} was
     * called since the last return, or {@code timeout} passed. May return early for no reason.
     */
    void await(String epoch, long after, Collection<String> topics, Duration timeout) throws InterruptedException;

    /** Makes the current or next {@link #await} return at once. Never blocks, never throws. */
    void wake();

    /** True when the store answered within {@code timeout}. Never throws. */
    boolean ping(Duration timeout);

    /** Releases the connection to the store. Idempotent. */
    @Override
    void close();

    /** A place in the log: an event's, or the head's. */
    record Position(String epoch, long seq) {
    }

    /**
     * One stored event.
     *
     * @param publishedMillis when it was appended, by the log's clock
     */
    record Entry(long seq, long publishedMillis, Map<String, String> fields) {
    }

    /**
     * What one {@link #read} saw.
     *
     * @param head the highest sequence number handed out so far (0 before the first)
     * @param nowMillis the log's clock at the read, to age entries without trusting this node's clock
     * @param entries for each topic asked, its entries above the position asked, in sequence order
     * @param trimmedThrough for a topic, the highest sequence number that retention removed from it,
     *     when the read returned entries of that topic (0 for none)
     */
    record Batch(String epoch, long head, long nowMillis, Map<String, List<Entry>> entries,
                 Map<String, Long> trimmedThrough) {
    }
}
