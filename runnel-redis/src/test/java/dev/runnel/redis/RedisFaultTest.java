package dev.runnel.redis;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.FaultProxy;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.RedisServer;
import dev.runnel.testkit.WireEvents;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Redis faults that need a hand on the wire or on Redis's files: a Redis that comes back older
 * than what a node read, with its epoch (a restored snapshot, the lost end of its append-only file,
 * a failover to a replica that lagged), and a connection that breaks between Redis running a
 * command and its reply reaching the node. Real Redis, real nodes, real HTTP on loopback;
 * a {@link FaultProxy} stands between one node and Redis where the test must break that node's link.
 */
class RedisFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private RedisServer redis;
    private FaultProxy proxy;
    private final List<RunnelServer> servers = new ArrayList<>();
    private final List<RawSseClient> clients = new CopyOnWriteArrayList<>();

    private record Node(RunnelServer server, SseEngine engine) {
        Hub hub() {
            return engine.hub();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        servers.forEach(RunnelServer::stop);
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A node on the Redis at {@code uri}, whose {@code /t/{topic}} subscribes to one topic. */
    private Node node(URI uri) {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS).hubLog(RedisHubLog.connect(uri)).build();
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        server.sse("/t/{topic}", req -> engine.hub().subscribe(req, List.of(req.pathParam("topic")))
                .heartbeat(Duration.ofSeconds(1)));
        server.start();
        servers.add(server);
        return new Node(server, engine);
    }

    private RawSseClient subscribe(Node node, String topic, Map<String, String> headers) throws IOException {
        RawSseClient client = RawSseClient.get(URI.create(node.server().uri() + "/t/" + topic), headers);
        clients.add(client);
        assertThat(client.status()).isEqualTo(200);
        return client;
    }

    private static List<Published> publish(Hub hub, String topic, String prefix, int from, int to) {
        List<Published> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(hub.publish(topic, prefix + i));
        }
        return out;
    }

    private static List<String> ids(List<Published> published) {
        return published.stream().map(Published::id).toList();
    }

    private static List<String> ids(List<WireEvents.Event> events, int count) {
        return events.stream().limit(count).map(WireEvents.Event::id).toList();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(condition, what, WAIT);
    }

    /** A command sent straight to Redis, as an operator's redis-cli would. */
    private <T> T direct(java.util.function.Function<StatefulRedisConnection<String, String>, T> command) {
        return direct(redis.uri(), command);
    }

    private static <T> T direct(URI uri, java.util.function.Function<StatefulRedisConnection<String, String>, T> command) {
        RedisClient client = RedisClient.create(uri.toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    // ---- Redis comes back older, with its epoch --------------------------------------------------

    /** A way for Redis to come back older than what a node read: a copy taken at a point, then brought back. */
    private interface GoingBack {
        /** Remembers Redis as it is now. */
        void copy() throws Exception;

        /** Replaces Redis by the copy; returns where it now answers. */
        URI comeBackFromTheCopy() throws Exception;
    }

    @Test
    void whenRedisComesBackFromAnOlderSnapshotTheNodeThatReadFurtherResetsItsSubscribersInsteadOfSkippingReusedIds() throws Exception {
        redis = RedisServer.start(false);
        Path snapshot = redis.dataDir().resolve("snapshot.rdb");
        nodeThatReadFurtherResetsItsSubscribers(new GoingBack() {
            @Override
            public void copy() throws IOException {
                String saved = direct(c -> c.sync().save());
                assertThat(saved).isEqualTo("OK");
                Files.copy(redis.dataDir().resolve("dump.rdb"), snapshot);
            }

            @Override
            public URI comeBackFromTheCopy() throws IOException {
                restore(snapshot);
                return redis.uri();
            }
        });
    }

    @Test
    void whenRedisFailsOverToAReplicaThatLaggedTheNodeThatReadFurtherResetsItsSubscribers() throws Exception {
        redis = RedisServer.start(false);
        RedisServer replica = RedisServer.start(false);
        try {
            nodeThatReadFurtherResetsItsSubscribers(new GoingBack() {
                @Override
                public void copy() throws Exception {
                    onReplica(c -> c.sync().replicaof("127.0.0.1", redis.port()));
                    String masterSeq = direct(c -> c.sync().get("runnel:seq"));
                    await(() -> masterSeq.equals(onReplica(c -> c.sync().get("runnel:seq")))
                            && onReplica(c -> c.sync().exists("runnel:epoch")) == 1, "the replica caught up");
                    // the replica stops following here: what the master stores next, it never gets
                    onReplica(c -> c.sync().replicaofNoOne());
                }

                @Override
                public URI comeBackFromTheCopy() {
                    redis.kill();
                    proxy.retarget(replica.port());
                    return replica.uri();
                }

                private <T> T onReplica(java.util.function.Function<StatefulRedisConnection<String, String>, T> command) {
                    return direct(replica.uri(), command);
                }
            });
        } finally {
            replica.close();
        }
    }

    @Test
    void whenRedisLosesTheEndOfItsAppendOnlyFileTheNodeThatReadFurtherResetsItsSubscribers() throws Exception {
        redis = RedisServer.start(true);
        long[] kept = new long[1];
        nodeThatReadFurtherResetsItsSubscribers(new GoingBack() {
            @Override
            public void copy() throws IOException {
                kept[0] = Files.size(appendOnlyTail());
            }

            @Override
            public URI comeBackFromTheCopy() throws IOException {
                // what appendfsync everysec loses in a crash: the writes of the last moments
                redis.kill();
                try (var file = java.nio.channels.FileChannel.open(appendOnlyTail(), java.nio.file.StandardOpenOption.WRITE)) {
                    file.truncate(kept[0]);
                }
                redis.start();
                return redis.uri();
            }
        });
    }

    /** The append-only file Redis 7 appends to now ({@code appendonlydir/*.incr.aof}). */
    private Path appendOnlyTail() throws IOException {
        try (var files = Files.list(redis.dataDir().resolve("appendonlydir"))) {
            List<Path> incr = files.filter(f -> f.getFileName().toString().endsWith(".incr.aof")).sorted().toList();
            assertThat(incr).as("Redis 7's multi-part append-only file").isNotEmpty();
            return incr.get(incr.size() - 1);
        }
    }

    /**
     * Node A (behind the proxy) reads 1..5, Redis is copied, A reads 6..10; Redis comes back from the
     * copy while A cannot reach it, and another node publishes 6..13, reusing ids 6..10. When A reads
     * again it must not go on after 10 as if nothing happened, which would skip the new 6..10 silently.
     */
    private void nodeThatReadFurtherResetsItsSubscribers(GoingBack goingBack) throws Exception {
        proxy = FaultProxy.to(redis.port());
        Node a = node(redisUri(proxy));
        RawSseClient onA = subscribe(a, "t", Map.of());
        await(() -> a.hub().subscribers("t") == 1, "subscribed on node A");
        List<Published> kept = publish(a.hub(), "t", "old", 1, 5);
        assertThat(ids(onA.awaitEvents(5, WAIT), 5)).containsExactlyElementsOf(ids(kept));
        goingBack.copy();
        List<Published> lost = publish(a.hub(), "t", "old", 6, 10);
        List<String> firstTen = new ArrayList<>(ids(kept));
        firstTen.addAll(ids(lost));
        assertThat(ids(onA.awaitEvents(10, WAIT), 10)).as("node A read up to 10").containsExactlyElementsOf(firstTen);

        // node A loses Redis, which comes back from the copy taken at 5
        proxy.refuse(true);
        proxy.cutAll();
        URI now = goingBack.comeBackFromTheCopy();
        // another node publishes before node A reads again: Redis hands out 6..13 again, same epoch
        Node b = node(now);
        List<Published> again = publish(b.hub(), "t", "new", 6, 13);
        assertThat(again.get(0).id()).as("Redis came back with its epoch and reuses the ids after 5")
                .isEqualTo(lost.get(0).id());

        proxy.refuse(false);

        // node A's subscriber is cut off, having seen none of the new events
        String text = onA.readToEnd(WAIT);
        assertThat(onA.ended()).as("node A's subscriber is cut off").isTrue();
        assertThat(WireEvents.parse(text)).extracting(WireEvents.Event::data).noneMatch(d -> d.startsWith("new"));
        // coming back with its last id it gets the reset, not the events after 10
        RawSseClient back = subscribe(a, "t", Map.of("Last-Event-ID", lost.get(4).id()));
        WireEvents.Event reset = back.awaitEvents(1, WAIT).get(0);
        assertThat(reset.event()).isEqualTo("runnel:reset");
        assertThat(reset.data()).contains("\"reason\":\"unknown\"");
        // a client that left at 8 gets the reset on any node, not the events that reuse the ids after it
        WireEvents.Event first = firstEventResuming(b, "t", lost.get(2).id());
        assertThat(first.event()).isEqualTo("runnel:reset");
        assertThat(first.data()).contains("\"reason\":\"unknown\"");
        // and what is published now carries ids no client has seen before
        await(() -> a.hub().subscribers("t") == 1, "the client is back on node A");
        Published next = b.hub().publish("t", "after");
        assertThat(back.awaitEvents(2, WAIT).get(1).id()).isEqualTo(next.id());
        assertThat(next.id()).doesNotStartWith(lost.get(0).id().substring(0, lost.get(0).id().indexOf('-') + 1));
    }

    @Test
    void aCopyOlderThanAnEpochChangeIsCaughtTooAndStartsAnEpochNewerThanBoth() throws Exception {
        redis = RedisServer.start(false);
        try (RedisHubLog log = RedisHubLog.connect(redis.uri())) {
            String first = log.read(null, 0, 0).epoch();
            log.append(Map.of("t", "e", "d", "1"), 100);
            assertThat(log.read(first, 0, 0).head()).isEqualTo(1);
            String saved = direct(c -> c.sync().save());
            assertThat(saved).isEqualTo("OK");
            Path snapshot = Files.copy(redis.dataDir().resolve("dump.rdb"), redis.dataDir().resolve("snapshot-at-1.rdb"));
            log.append(Map.of("t", "e", "d", "2"), 100);
            assertThat(log.read(first, 1, 0).head()).isEqualTo(2);

            restore(snapshot);
            String second = readAgain(log, first).epoch();
            assertThat(second).as("went back behind what this node read: a new epoch").isNotEqualTo(first);
            restore(snapshot); // the same copy again: it holds the first epoch, older than this node's
            String third = readAgain(log, second).epoch();

            assertThat(third).isNotIn(first, second);
            assertThat(Long.parseLong(third)).isGreaterThan(Long.parseLong(second));
            assertThat(log.append(Map.of("t", "e", "d", "3"), 100).epoch()).isEqualTo(third);
        }
    }

    /** Puts {@code snapshot} back as Redis's data and restarts Redis on its port. */
    private void restore(Path snapshot) throws IOException {
        redis.shutdownWithoutSaving();
        Files.copy(snapshot, redis.dataDir().resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        redis.start();
    }

    /** The first read that answers once the log reconnected, as the reader would retry it. */
    private static dev.runnel.hub.HubLog.Batch readAgain(RedisHubLog log, String epoch) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return log.read(epoch, 0, 0);
            } catch (HubUnavailableException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aReadWhoseReplyIsLostWithItsConnectionIsNotMistakenForRedisGoingBack() throws Exception {
        redis = RedisServer.start(false);
        proxy = FaultProxy.to(redis.port());
        Node a = node(redisUri(proxy));
        RawSseClient onA = subscribe(a, "t", Map.of());
        await(() -> a.hub().subscribers("t") == 1, "subscribed on node A");
        Published first = a.hub().publish("t", "one");
        assertThat(onA.awaitEvents(1, WAIT).get(0).id()).isEqualTo(first.id());

        // the reader's next read (it moves the mark to 2) runs in Redis, and its reply is lost
        proxy.dropTheReplyTo("runnel:read:");
        Published second = a.hub().publish("t", "two");
        assertThat(proxy.awaitDroppedReply(WAIT)).as("a read's reply was dropped").isNotNull();
        Published third = a.hub().publish("t", "three");

        List<WireEvents.Event> events = onA.awaitEvents(3, WAIT);
        assertThat(events).extracting(WireEvents.Event::id).containsExactly(first.id(), second.id(), third.id());
        assertThat(onA.ended()).isFalse();
        assertThat(third.id()).startsWith(first.id().substring(0, first.id().indexOf('-') + 1));
    }

    /**
     * The first event a client resuming from {@code lastEventId} gets, reconnecting with the same id
     * as a browser does when its stream ends first (a node that learns of a new epoch while the
     * client waits cuts it off).
     */
    private WireEvents.Event firstEventResuming(Node node, String topic, String lastEventId) throws IOException {
        for (int attempt = 1; ; attempt++) {
            RawSseClient client = subscribe(node, topic, Map.of("Last-Event-ID", lastEventId));
            try {
                return client.awaitEvents(1, WAIT).get(0);
            } catch (AssertionError endedFirst) {
                if (!client.ended() || attempt == 3) {
                    throw endedFirst;
                }
            }
        }
    }

    // ---- a publish whose reply is lost -----------------------------------------------------------

    @Test
    void aPublishWhoseConnectionBreaksAfterRedisStoredItButBeforeTheReplyIsStoredOnce() throws Exception {
        redis = RedisServer.start(false);
        proxy = FaultProxy.to(redis.port());
        Node a = node(redisUri(proxy));
        String probe = "probe-é-" + System.nanoTime();
        proxy.dropTheReplyTo(probe);

        AtomicReference<Published> published = new AtomicReference<>();
        Throwable failure = catchThrowable(() -> published.set(a.hub().publish("t", probe)));

        String dropped = proxy.awaitDroppedReply(WAIT);
        assertThat(dropped).as("the publish reached Redis, which ran the append and answered").startsWith("*2\r\n");
        // give a re-send every chance to happen: the node is connected again and has published since
        await(() -> a.hub().isReady(), "node A reconnected");
        a.hub().publish("t", "later");
        List<StreamMessage<String, String>> stored = direct(c -> c.sync().xrange("runnel:log", Range.create("-", "+")));
        List<String> copies = stored.stream().filter(m -> probe.equals(m.getBody().get("d"))).map(StreamMessage::getId).toList();
        assertThat(copies).as("entries holding the one publish (Lettuce must not send it again after reconnecting)").hasSize(1);
        if (failure != null) {
            assertThat(failure).isInstanceOf(HubUnavailableException.class)
                    .hasMessageEndingWith("the event may or may not have been stored");
        } else {
            assertThat(copies).containsExactly(published.get().id());
        }
    }

    /** {@code redis://} to the proxy in front of Redis. */
    private static URI redisUri(FaultProxy proxy) {
        return URI.create("redis://127.0.0.1:" + proxy.port());
    }
}
