package dev.runnel.redis;

import dev.runnel.hub.Roster;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * For a {@link RedisRoster}: claims the nodes that stopped beating, one claimant per dead node
 * ({@code SET NX} with a lease, in the same script that marks the node dead so it never writes
 * again), and announces each of its entries' departure: renew the lease, tell the listener, remove
 * the entry. A claimant that dies midway stops renewing; its lease runs out and another node claims
 * the rest. The one entry in hand when it died may be announced twice; none is skipped.
 */
final class DeadNodes {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** How long a dead node's mark outlives it: its id is never used again, the mark only stops a late write. */
    private static final long DEAD_MARK_MILLIS = Duration.ofDays(1).toMillis();

    private final RosterScript script;
    private final StatefulRedisConnection<String, String> redis;
    private final String prefix;
    private final String name;
    private final Roster.Listener listener;
    private final String deadAfter;
    private final BooleanSupplier closing;

    DeadNodes(RosterScript script, StatefulRedisConnection<String, String> redis, String prefix, String name,
              Roster.Listener listener, long deadAfterMillis, BooleanSupplier closing) {
        this.script = script;
        this.redis = redis;
        this.prefix = prefix;
        this.name = name;
        this.listener = listener;
        this.deadAfter = Long.toString(deadAfterMillis);
        this.closing = closing;
    }

    /** Claims, as node {@code me}, every node silent for longer than {@code deadAfter}, and announces its departures. */
    void claimAndAnnounce(String me) {
        String dead;
        while (!closing.getAsBoolean()
                && !(dead = (String) script.eval(ScriptOutputType.VALUE, "claim", me, deadAfter, deadAfter,
                Long.toString(DEAD_MARK_MILLIS))).isEmpty()) {
            announceDepartures(me, dead);
        }
    }

    /**
     * Announces the departure of each entry of {@code dead}, which {@code me} claimed, while the claim
     * holds; then drops the claim, unlisting the dead node when it has no entry left. A listener that
     * throws stops this round: the claim is dropped and the rest is offered again.
     */
    private void announceDepartures(String me, String dead) {
        String key = prefix + "node:" + dead;
        boolean done = false;
        try {
            Map<String, String> entries = redis.sync().hgetall(key);
            LOG.log(Level.INFO, "roster " + name + ": node " + dead + " stopped beating; announcing the departure of its "
                    + entries.size() + " entries");
            List<Map.Entry<String, String>> ordered = new ArrayList<>(entries.entrySet());
            ordered.sort(Map.Entry.comparingByKey());
            for (Map.Entry<String, String> e : ordered) {
                if (closing.getAsBoolean() || script.call("renew", me, dead, deadAfter) == 0) {
                    return; // closing, or the claim ran out: another node finishes
                }
                listener.departed(new Roster.Entry(e.getKey(), e.getValue()));
                redis.sync().hdel(key, e.getKey());
            }
            done = true;
        } finally {
            try {
                script.call("release", me, dead, done ? "1" : "0");
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "roster " + name + ": dropping the claim on " + dead + " failed (it runs out): " + e);
            }
        }
    }
}
