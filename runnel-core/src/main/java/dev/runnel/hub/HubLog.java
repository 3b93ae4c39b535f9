package dev.runnel.hub;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The log a hub runs on when it spans several nodes: one hub-wide log that puts every published
 * event in one order, keeps the recent ones, and that every node reads in full. {@code runnel-redis}'s
 * {@code RedisHubLog} keeps it in one Redis stream. Give one to {@link dev.runnel.SseEngine.Builder#hubLog};
 * the engine's hub then publishes through it, keeps a copy of the log's recent events in memory (its
 * replay history, its index of publishers' ids), delivers what it reads to its own subscribers
 * (encoded once, as in memory), and closes it on shutdown.
 *
 * <p>Every node reads every event, whatever its topics: subscriptions by selector ({@code *}, a
 * template) name no topic in advance, and a resume by a publisher's id must find that id on any node.
 * The cost is that each node receives the whole publish traffic and holds the whole recent history.
 *
 * <p>This interface is for implementers; applications only pass one to the engine. Positions are
 * sequence numbers within an <em>epoch</em>: the log hands out 1, 2, 3, ... and starts a new epoch (a
 * string that was never used before, greater than every earlier one as a number) when it lost its data
 * or went back to an older state (a restored copy, a replica that lagged), so that ids from before are
 * recognised: within one epoch a sequence number never names two events. A {@link #read} that finds
 * the log behind what this node already read must answer with a new epoch.
 *
 * <p>Threading: {@link #append}, {@link #head} and {@link #wake} are called from any thread; {@link #read}
 * and {@link #await} only from the hub's one reader thread; {@link #ping} from health checks. Every
 * method that talks to the store throws {@link HubUnavailableException} when it cannot.
 */
public interface HubLog extends AutoCloseable {

    /**
     * Appends one event with the next sequence number, keeping at least the newest {@code retain}
     * entries of the log.
     *
     * @param fields the event, as the hub wrote it (its topics among them); the log stores and returns
     *     them unchanged
     * @throws HubUnavailableException when the store cannot be reached; nothing was appended, unless
     *     the message says the connection broke during the call
     */
    Position append(Map<String, String> fields, int retain);

    /**
     * The log's epoch and head now, from any thread.
     *
     * @throws HubUnavailableException when the store cannot be reached
     */
    Position head();

    /**
     * Reads, as of one instant: the log's epoch, its head, its clock, what retention removed, and at
     * most {@code limit} entries with a sequence number above {@code after}, in sequence order. When
     * {@code epoch} is {@code null} or not the log's epoch, no entries are read (the caller learns the
     * epoch first). Only the reader calls it: a read may also check that the log did not go back behind
     * what this reader read before, and answer with a new epoch when it did.
     */
    Batch read(String epoch, long after, int limit);

    /**
     * Blocks until the log may have entries above {@code after}, {@link #wake} was called since the
     * last return, or {@code timeout} passed. May return early for no reason.
     */
    void await(String epoch, long after, Duration timeout) throws InterruptedException;

    /** Makes the current or next {@link #await} return at once. Never blocks, never throws. */
    void wake();

    /** True when the store answered within {@code timeout}. Never throws. */
    boolean ping(Duration timeout);

    /**
     * A {@link Roster} kept in the log's store for every node that uses {@code name}, with each node's
     * liveness, and {@code listener} told of dead nodes' entries; closed with this log. A log that
     * cannot keep one answers a roster of this node only (the default).
     */
    default Roster roster(String name, Roster.Listener listener) {
        return Roster.ofThisNode();
    }

    /** Releases the connection to the store, and closes the rosters it made. Idempotent. */
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
     * @param head the highest sequence number handed out so far in this epoch (0 before the first)
     * @param nowMillis the log's clock at the read, to age entries without trusting this node's clock
     * @param entries the entries above the position asked, in sequence order, at most the limit asked
     * @param trimmedThrough the highest sequence number of this epoch that retention removed from the
     *     log (0 for none): when it is above the position asked, entries after that position are gone
     */
    record Batch(String epoch, long head, long nowMillis, List<Entry> entries, long trimmedThrough) {
    }
}
