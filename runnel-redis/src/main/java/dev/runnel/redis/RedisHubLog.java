package dev.runnel.redis;

import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Roster;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hub's log on Redis Streams, so several Runnel nodes share one hub and a browser resumes by
 * {@code Last-Event-ID} on any of them:
 *
 * <pre>{@code
 * SseEngine engine = SseEngine.builder()
 *         .hubLog(RedisHubLog.connect(URI.create("redis://127.0.0.1:6379")))
 *         .build();
 * }</pre>
 *
 * <p>The whole hub is one stream ({@code runnel:log}), whatever the topics. An append runs one script
 * that increments the hub-wide sequence ({@code runnel:seq}) and adds the event under the entry id
 * {@code EPOCH-SEQ}, which is also the event's SSE id, with its publish time by Redis's clock; the
 * event's fields are stored and read back unchanged. {@code runnel:epoch} is set, from Redis's clock,
 * when the log starts or lost its data, and the sequence then counts from 1 again, so ids from before
 * are recognised (epochs only grow, so entry ids do too). A read is one script as well: the epoch,
 * the head, the clock and up to a limit of entries, as of one instant. Each read also leaves a mark
 * ({@code runnel:read:NODE}, the head it saw) in the same script, so a Redis that comes back older
 * than what a node read (a restored snapshot, a lost end of the append-only file, a failover to a
 * replica that lagged) is caught at that node's next read, which starts a new epoch instead of
 * handing the same ids out again. Each node waits with {@code XREAD BLOCK} on the log and on a
 * wake-up stream of its own ({@code runnel:wake:NODE}).
 *
 * <p>What it costs: every node reads every event, whatever topics its subscribers asked for, so the
 * publish traffic of the whole hub reaches every node; and every node keeps the whole retained log in
 * memory (its replay history and its index of publishers' ids). Retention is hub-wide: the stream
 * keeps at least the {@code retain} newest entries of the whole hub ({@code MAXLEN ~}), not that many
 * per topic, so a busy topic pushes a quiet topic's events out; the replay age is enforced by the hub
 * when reading, by the publish time the script stores. Redis holds one copy of that window.
 *
 * <p>Each node reads with one connection of its own (one script per read, {@code XREAD BLOCK} to
 * wait); appends, pings and wake-ups share another. Both reconnect by themselves with jittered
 * backoff; while Redis cannot be reached, commands fail at once instead of queueing, so an append
 * fails with {@link HubUnavailableException} and never waits for a Redis that is down. A Redis that
 * stops answering while the connection stays open (stopped, or cut off by the network without a
 * reset) costs one wait for the timeout: after it, appends fail at once until Redis answers again.
 *
 * <p>It also keeps {@linkplain #roster rosters}: entries each node lists for the whole cluster, with
 * each node's liveness (heartbeats, {@link Builder#liveness}), so that the departures of a node that
 * died are announced by one other node. The Mercure hub's active subscriptions are one.
 *
 * <p>Needs Redis 7.0 or newer. Standalone Redis or Sentinel ({@code redis-sentinel://}); not Redis
 * Cluster, since one sequence orders the whole hub, so all keys would live on one shard anyway.
 *
 * <p>Thread-safe. Closed by the engine that was built with it.
 */
public final class RedisHubLog implements HubLog {

    private static final String APPEND = script("append.lua");
    private static final String HEAD = script("head.lua");
    private static final String READ = script("read.lua");
    /** How long a node's wake-up stream outlives its last use: gone soon after the node is. */
    private static final long WAKE_TTL_MILLIS = Duration.ofMinutes(10).toMillis();
    /**
     * How long a node's read mark outlives its last read. Long, since a mark that expired under a
     * node that could not reach Redis for that long reads as Redis having gone back (a reset for all).
     */
    private static final long MARK_TTL_MILLIS = Duration.ofDays(1).toMillis();
    /** The most fields one event may have: the append script passes them to XADD in one Lua call, whose stack holds about 4,000 pairs. */
    static final int MAX_FIELDS = 3_000;
    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");

    private final String where;
    private final Duration timeout;
    private final String prefix;
    private final Duration heartbeat;
    private final Duration deadAfter;
    /** The rosters this log made, closed with it. */
    private final List<RedisRoster> rosters = new CopyOnWriteArrayList<>();
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisConnection<String, String> reader;
    private final String epochKey;
    private final String seqKey;
    private final String logKey;
    private final String wakeKey;
    private final String markKey;
    private final String appendSha;
    private final String headSha;
    private final String readSha;
    /** Last wake-up entry the reader saw; only the reader thread uses it. */
    private String wakeSeen = "0-0";
    /** The epoch and head of the reader's last read that answered ({@code null}, 0 before); reader thread only. */
    private String readEpoch;
    private long readHead;
    /**
     * Set when a command on the shared connection got no answer within the timeout (a Redis that is
     * stopped or cut off without the connection closing); cleared by the next answer to a probe. While
     * set, appends and heads fail at once instead of each waiting for the timeout again.
     */
    private volatile boolean silent;
    /** True while a probe ({@code PING}) of a silent Redis is in flight: one at a time. */
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean closed;

    private RedisHubLog(Builder b) {
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(b.uri.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a Redis URI: " + b.uri + " (" + e.getMessage() + "); use redis://HOST:PORT", e);
        }
        this.where = redisUri.getSentinels().isEmpty() ? redisUri.getHost() + ":" + redisUri.getPort()
                : "sentinel " + redisUri.getSentinelMasterId();
        String prefix = b.prefix;
        this.prefix = prefix;
        this.timeout = b.timeout;
        this.heartbeat = b.heartbeat;
        this.deadAfter = b.deadAfter;
        this.epochKey = prefix + "epoch";
        this.seqKey = prefix + "seq";
        this.logKey = prefix + "log";
        String node = UUID.randomUUID().toString();
        this.wakeKey = prefix + "wake:" + node;
        this.markKey = prefix + "read:" + node;
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(20), Duration.ofSeconds(2), 50, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while disconnected, fail at once: a publish must not wait for a Redis that is down.
                // This also fails the commands in flight when a connection breaks ("may or may not have
                // been stored") instead of sending them again after the reconnect, which would store a
                // publish whose reply was lost a second time, under a second id (RedisHubLogTest)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(b.timeout).keepAlive(true).build())
                // no global command expiry: it would cut the reader's XREAD BLOCK short while Redis keeps
                // it blocked, and the next read would queue behind it; each connection's timeout bounds waits
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
                .build());
        StatefulRedisConnection<String, String> c = null;
        StatefulRedisConnection<String, String> r = null;
        try {
            c = client.connect();
            c.setTimeout(b.timeout);
            r = client.connect();
            r.setTimeout(b.timeout);
            requireVersion(c.sync().info("server"));
            this.appendSha = c.sync().scriptLoad(APPEND);
            this.headSha = c.sync().scriptLoad(HEAD);
            this.readSha = c.sync().scriptLoad(READ);
        } catch (RedisException e) {
            if (c != null) {
                c.close();
            }
            if (r != null) {
                r.close();
            }
            shutdownClient();
            throw new HubUnavailableException("cannot reach Redis at " + where + ": " + reason(e), e);
        } catch (RuntimeException e) {
            shutdownClient();
            throw e;
        }
        this.commands = c;
        this.reader = r;
    }

    /** Connects to Redis at {@code uri} ({@code redis://HOST:PORT}, {@code rediss://}, {@code redis-sentinel://}) with the defaults. */
    public static RedisHubLog connect(URI uri) {
        return builder(uri).build();
    }

    /** Settings for a log on Redis at {@code uri}. */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    @Override
    public Position append(Map<String, String> fields, int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        if (fields.size() > MAX_FIELDS) {
            throw new IllegalArgumentException("an event may have at most " + MAX_FIELDS + " fields in the Redis log, got " + fields.size());
        }
        String[] args = new String[1 + 2 * fields.size()];
        args[0] = Integer.toString(retain);
        int i = 1;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            args[i++] = f.getKey();
            args[i++] = f.getValue();
        }
        if (silent) {
            probe();
            throw new HubUnavailableException("cannot publish: Redis at " + where + " " + silence() + "; nothing was published");
        }
        List<Object> out;
        try {
            out = eval(commands, appendSha, APPEND, new String[]{epochKey, seqKey, logKey}, args);
        } catch (RedisException e) {
            noticeSilence(e);
            String maybe = e instanceof RedisCommandTimeoutException || disconnectedDuringCall(e)
                    ? "; the event may or may not have been stored" : "; nothing was published";
            throw new HubUnavailableException("cannot publish: Redis at " + where + " " + failure(e) + maybe, e);
        }
        return new Position((String) out.get(0), (Long) out.get(1));
    }

    @Override
    public Position head() {
        if (silent) {
            probe();
            throw new HubUnavailableException("Redis at " + where + " " + silence());
        }
        try {
            List<Object> out = eval(commands, headSha, HEAD, new String[]{epochKey, seqKey, logKey}, new String[0]);
            return new Position((String) out.get(0), (Long) out.get(1));
        } catch (RedisException e) {
            noticeSilence(e);
            throw new HubUnavailableException("Redis at " + where + " " + failure(e), e);
        }
    }

    /** After a command went unanswered for the whole timeout, the next ones fail at once until Redis answers a probe. */
    private void noticeSilence(RedisException e) {
        if (e instanceof RedisCommandTimeoutException) {
            silent = true;
            probe();
        }
    }

    private String silence() {
        return "did not answer a command within " + timeout.toMillis() + " ms and has not answered since";
    }

    /**
     * Sends one {@code PING} on the shared connection, unless one is in flight; its answer clears
     * {@link #silent}. It queues behind whatever Redis has not answered yet, so it answers once Redis
     * does; a connection that breaks meanwhile fails it, and the next call probes again.
     */
    private void probe() {
        if (closed || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            commands.async().ping().whenComplete((pong, error) -> {
                probing.set(false);
                if (error == null) {
                    silent = false;
                }
            });
        } catch (RuntimeException e) {
            probing.set(false);
        }
    }

    @Override
    public Batch read(String epoch, long after, int limit) {
        if (after < 0) {
            throw new IllegalArgumentException("after must be a sequence number (0 or more), got " + after);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
        }
        String[] args = {
                epoch == null ? "" : epoch,
                // what this node read last, for the script to check that Redis did not go back behind it
                epoch != null && epoch.equals(readEpoch) ? Long.toString(readHead) : "0",
                Long.toString(MARK_TTL_MILLIS),
                Long.toString(after),
                Integer.toString(limit)};
        List<Object> out;
        try {
            reader.setTimeout(timeout);
            out = eval(reader, readSha, READ, new String[]{epochKey, seqKey, markKey, logKey}, args);
        } catch (RedisException e) {
            throw new HubUnavailableException("Redis at " + where + " " + failure(e), e);
        }
        String logEpoch = (String) out.get(0);
        long head = (Long) out.get(1);
        long now = Long.parseLong((String) out.get(2));
        if ((Long) out.get(3) == 1) {
            LOG.log(System.Logger.Level.WARNING, "Redis at " + where + " holds less than this node had read (up to " + epoch + "-"
                    + readHead + "; now at " + head + "): it was restored from an older copy, lost the end of its append-only "
                    + "file or failed over to a replica that lagged. New epoch " + logEpoch + ", so that no id names two events: "
                    + "clients get runnel:reset");
        }
        readEpoch = logEpoch;
        readHead = head;
        return new Batch(logEpoch, head, now, entries((List<?>) out.get(5)), (Long) out.get(4));
    }

    @Override
    @SuppressWarnings("unchecked") // Lettuce's xread takes its offsets as generic varargs
    public void await(String epoch, long after, Duration wait) throws InterruptedException {
        // only a signal: the next read takes the entries, as of one instant
        XReadArgs.StreamOffset<String> log = epoch == null ? XReadArgs.StreamOffset.latest(logKey)
                : XReadArgs.StreamOffset.from(logKey, epoch + "-" + after);
        List<StreamMessage<String, String>> got;
        try {
            reader.setTimeout(timeout.plus(wait));
            got = reader.sync().xread(XReadArgs.Builder.block(Math.max(1, wait.toMillis())).count(1),
                    log, XReadArgs.StreamOffset.from(wakeKey, wakeSeen));
        } catch (RedisCommandInterruptedException e) {
            // Redis still blocks the reader's connection: wake it, so the next read does not queue behind
            wake();
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException("interrupted while waiting for the Redis log");
            interrupted.initCause(e);
            throw interrupted;
        } catch (RedisException e) {
            throw new HubUnavailableException("Redis at " + where + " " + failure(e), e);
        }
        for (StreamMessage<String, String> m : got) {
            if (m.getStream().equals(wakeKey)) {
                wakeSeen = m.getId();
            }
        }
    }

    @Override
    public void wake() {
        if (closed) {
            return;
        }
        try {
            commands.async().xadd(wakeKey, XAddArgs.Builder.maxlen(1), "w", "1");
            commands.async().pexpire(wakeKey, WAKE_TTL_MILLIS);
        } catch (RuntimeException e) {
            // the reader is retrying anyway; it serves waiting subscribers on its next read
        }
    }

    @Override
    public boolean ping(Duration wait) {
        if (closed) {
            return false;
        }
        try {
            boolean pong = "PONG".equals(commands.async().ping().get(wait.toMillis(), TimeUnit.MILLISECONDS));
            if (pong) {
                silent = false;
            }
            return pong;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Roster {@code name} of every node on this Redis with the same key prefix: each node's entries in
     * a hash ({@code PREFIXroster:NAME:node:ID}), the nodes in a sorted set scored by their heartbeats.
     * A node that stops beating for {@link Builder#liveness deadAfter} is left out of the list, and one
     * live node tells its {@code listener} of each of its entries. Two threads per roster; closed with
     * this log. While Redis cannot be reached, the roster joins once it can.
     *
     * @throws HubUnavailableException when this log is closed
     */
    @Override
    public Roster roster(String name, Roster.Listener listener) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new HubUnavailableException("the hub's log on " + this + " is closed");
        }
        RedisRoster[] made = new RedisRoster[1];
        made[0] = new RedisRoster(commands, prefix, name, listener, heartbeat, deadAfter, () -> rosters.remove(made[0]));
        rosters.add(made[0]);
        if (closed) { // closed meanwhile: this one was not seen by close
            made[0].close();
        }
        return made[0];
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RedisRoster r : rosters) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing a roster failed", e);
            }
        }
        commands.close();
        reader.close();
        shutdownClient();
    }

    /** {@code Redis at HOST:PORT}. */
    @Override
    public String toString() {
        return "Redis at " + where;
    }

    private void shutdownClient() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Runs a loaded script; loads it again when Redis forgot it (a restart empties the script cache). */
    private static List<Object> eval(StatefulRedisConnection<String, String> connection, String sha, String script,
                                     String[] keys, String[] args) {
        try {
            return connection.sync().evalsha(sha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            return connection.sync().eval(script, ScriptOutputType.MULTI, keys, args);
        }
    }

    /**
     * Entries as XRANGE gives them: the id, then the publish time ({@code ms}) and the event's fields.
     * An entry the append script did not write (added by hand) is read whole, with publish time 0,
     * rather than stopping the reader on every read.
     */
    private static List<Entry> entries(List<?> raw) {
        List<Entry> entries = new ArrayList<>(raw.size());
        for (Object item : raw) {
            List<?> entry = (List<?>) item;
            String id = (String) entry.get(0);
            List<?> values = (List<?>) entry.get(1);
            // the first pair is the log's own; a field the hub named "ms" too comes after it, unchanged
            long published = values.size() >= 2 && "ms".equals(values.get(0)) ? millis((String) values.get(1)) : -1;
            int from = published >= 0 ? 2 : 0;
            Map<String, String> fields = LinkedHashMap.newLinkedHashMap((values.size() - from) / 2);
            for (int i = from; i + 1 < values.size(); i += 2) {
                fields.put((String) values.get(i), (String) values.get(i + 1));
            }
            entries.add(new Entry(Long.parseLong(id.substring(id.indexOf('-') + 1)), Math.max(0, published), fields));
        }
        return entries;
    }

    private static long millis(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void requireVersion(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                String version = line.substring("redis_version:".length()).strip();
                int major;
                try {
                    major = Integer.parseInt(version.substring(0, version.indexOf('.')));
                } catch (RuntimeException e) {
                    return; // a server that words its version otherwise: let the scripts tell
                }
                if (major < 7) {
                    throw new IllegalStateException("Redis at " + where + " is " + version
                            + "; the hub needs Redis 7.0 or newer");
                }
            }
        }
    }

    private static boolean disconnectedDuringCall(RedisException e) {
        return e.getMessage() != null && e.getMessage().contains("disconnected");
    }

    /** "is not reachable (why)", "did not answer within 2 s", "refused the command: why". */
    private String failure(RedisException e) {
        if (e instanceof RedisCommandTimeoutException) {
            return "did not answer within " + timeout.toMillis() + " ms";
        }
        if (e instanceof RedisCommandExecutionException) {
            return "refused the command: " + e.getMessage();
        }
        return "is not reachable (" + reason(e) + ")";
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return e instanceof RedisConnectionException && root != e ? message : Objects.requireNonNullElse(e.getMessage(), message);
    }

    /** A script: the shared clock and epoch functions ({@code epoch.lua}), then its own body. */
    private static String script(String name) {
        return resource("epoch.lua") + "\n" + resource(name);
    }

    static String resource(String name) {
        try (InputStream in = RedisHubLog.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + RedisHubLog.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings of a {@link RedisHubLog}; every one has a default. */
    public static final class Builder {
        private final URI uri;
        private String prefix = "runnel:";
        private Duration timeout = Duration.ofSeconds(2);
        private Duration heartbeat = Duration.ofSeconds(2);
        private Duration deadAfter = Duration.ofSeconds(6);

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /**
         * What every key starts with, so several hubs (or other data) share one Redis; default
         * {@code runnel:}. Nodes of one hub must use the same prefix.
         */
        public Builder keyPrefix(String keyPrefix) {
            if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.chars().anyMatch(c -> c <= ' ' || c == 127)) {
                throw new IllegalArgumentException("keyPrefix must be non-empty, without spaces or control characters, got '" + keyPrefix + "'");
            }
            this.prefix = keyPrefix;
            return this;
        }

        /**
         * How long an append, a read or a connect may take before it fails; default 2 s. An append
         * to a Redis that cannot be reached at all fails at once, without waiting.
         */
        public Builder timeout(Duration commandTimeout) {
            if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()
                    || commandTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("timeout must be from 1 ms to 1 minute, got " + commandTimeout);
            }
            this.timeout = commandTimeout;
            return this;
        }

        /**
         * How nodes of a {@linkplain RedisHubLog#roster roster} (the Mercure hub's active subscriptions)
         * tell they are alive: each beats every {@code heartbeat}; one silent for {@code deadAfter} is
         * taken for dead, and its entries' departures are announced within about
         * {@code deadAfter + heartbeat}. Defaults 2 s and 6 s: under 10 s. {@code deadAfter} must be at
         * least twice the heartbeat, so one late beat does not kill a node. Give every node the same
         * liveness: a node judges the others by its own {@code deadAfter}, so one whose heartbeat is
         * longer than another node's {@code deadAfter} is taken for dead, and rejoins, at every beat.
         */
        public Builder liveness(Duration heartbeat, Duration deadAfter) {
            if (heartbeat == null || heartbeat.toMillis() < 10 || heartbeat.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("heartbeat must be from 10 ms to 1 minute, got " + heartbeat);
            }
            if (deadAfter == null || deadAfter.compareTo(heartbeat.multipliedBy(2)) < 0 || deadAfter.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("deadAfter must be from twice the heartbeat (" + heartbeat.multipliedBy(2)
                        + ") to 1 hour, got " + deadAfter);
            }
            this.heartbeat = heartbeat;
            this.deadAfter = deadAfter;
            return this;
        }

        /**
         * Connects (two connections: one for the node's reader, one for everything else) and loads
         * the scripts.
         *
         * @throws HubUnavailableException when Redis cannot be reached now
         * @throws IllegalStateException when it is older than 7.0
         */
        public RedisHubLog build() {
            return new RedisHubLog(this);
        }
    }
}
