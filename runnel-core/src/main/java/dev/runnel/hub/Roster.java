package dev.runnel.hub;

import dev.runnel.internal.LocalRoster;

import java.util.List;
import java.util.Optional;

/**
 * Entries that each node of a hub lists while they last, and that every node reads: on one node, a
 * map in memory; on a {@link HubLog} that spans nodes (Redis), one list for the whole cluster, kept
 * with each node's liveness. {@code runnel-mercure} keeps its active subscriptions in one, so that
 * every node lists every node's subscriptions. Get one with {@link Hub#roster}.
 *
 * <p>What it guarantees: an entry a node {@linkplain #announce announced} is listed by every node
 * until that node {@linkplain #withdraw withdraws} it, or until the node stops taking part (it died,
 * lost the store for longer than its liveness allows, or closed with entries left): then exactly one
 * live node calls {@link Listener#departed} for each of its entries, so their end is announced once
 * (twice at most for the one entry in hand when that node died too; another node finishes the rest).
 * A node taken for dead that comes back lists its remaining entries again, after their departure, and
 * calls {@link Listener#rejoined} for each of them.
 *
 * <p>Order: an announce is listed before it returns, and a withdraw unlists before it returns, so an
 * event announcing the change, published after, never precedes the list's change (a reader who takes
 * the hub's last event id and then the list sees every change up to that id).
 *
 * <p>Threading: every method may be called from any thread. The listener is called from the roster's
 * own thread (on a cluster) or from the calling thread, never under a lock of the roster. Closed by
 * whoever closes the hub's log (the engine); closing an in-memory roster only clears it.
 */
public interface Roster extends AutoCloseable {

    /**
     * Lists {@code key} with {@code value} as this node's, replacing an entry of this node with the
     * same key.
     *
     * @throws HubUnavailableException when the store cannot be reached: the entry is not listed (the
     *     roster unlists it should the store have taken it anyway)
     */
    void announce(String key, String value);

    /**
     * Unlists this node's entry {@code key}. Returns true when it is unlisted now: the caller announces
     * its end. Returns false when its end is someone else's to announce: the store cannot be reached
     * (the roster unlists it once it can, then calls {@link Listener#departed} on this node), or this
     * node was taken for dead and the entry's departure is announced by the node that noticed.
     * Never throws for the store's sake.
     */
    boolean withdraw(String key);

    /**
     * Every entry of every live node, ordered by key; an entry listed by two nodes once.
     *
     * @throws HubUnavailableException when the store cannot be reached
     */
    List<Entry> entries();

    /**
     * The entry {@code key} of any live node.
     *
     * @throws HubUnavailableException when the store cannot be reached
     */
    Optional<Entry> find(String key);

    /**
     * Stops taking part. Entries still listed are left to the other nodes, which announce their
     * departure; with none left, the roster's data is removed. Idempotent.
     */
    @Override
    void close();

    /** A roster of this node only, in memory: for a hub that is one node. */
    static Roster ofThisNode() {
        return new LocalRoster();
    }

    /** One entry: its key, unique in the roster, and its value, text the roster keeps unchanged. */
    record Entry(String key, String value) {
    }

    /** What a roster tells its owner about entries no withdraw ended. */
    interface Listener {

        /** Ignores everything: for an owner that announces no ends (an in-memory roster never calls it). */
        Listener NONE = new Listener() {
            @Override
            public void departed(Entry entry) {
            }

            @Override
            public void rejoined(Entry entry) {
            }
        };

        /**
         * {@code entry}'s node is gone (or could not unlist it): announce its end. Called on one node per
         * entry. When this throws, the entry stays listed as a departed node's and is offered again later.
         */
        void departed(Entry entry);

        /**
         * {@code entry}, of this node, is listed again after its departure was announced (this node had
         * been taken for dead): announce it anew. When this throws, it is logged; the entry stays listed.
         */
        void rejoined(Entry entry);
    }
}
