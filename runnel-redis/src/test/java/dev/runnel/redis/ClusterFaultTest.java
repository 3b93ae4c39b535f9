package dev.runnel.redis;

import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.FaultProxy;
import dev.runnel.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults between the parts of a cluster, with publishing going on: a real Redis started by the test,
 * two or three nodes (in this JVM, or in a child JVM where the test kills or stops one), publishes over
 * HTTP, and followers that reconnect as browsers do and check every event ({@link Follower}). After
 * each fault, every publish answered {@code 2xx} must have reached every follower subscribed when it was
 * sent, once and in order, or that follower must have been told by a {@code runnel:reset}.
 *
 * <p>The outage, the stall and the number of clients are short here (the default suite);
 * {@link ClusterFaultLongTest} runs the same scenarios at full length.
 */
class ClusterFaultTest {

    private static final Duration PUBLISH_EVERY = Duration.ofMillis(20);

    private RedisServer redis;
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    private final List<Follower> followers = new CopyOnWriteArrayList<>();
    private volatile boolean publishing;

    /** How long Redis is unreachable. */
    protected Duration outage() {
        return Duration.ofSeconds(3);
    }

    /** How long a node is stopped with SIGSTOP. */
    protected Duration stall() {
        return Duration.ofSeconds(2);
    }

    /** Clients on the node that is killed. */
    protected int clientsOnKilledNode() {
        return 300;
    }

    private String scenario = "";

    @BeforeEach
    void name(TestInfo test) {
        scenario = getClass().getSimpleName() + "." + test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("?");
    }

    @AfterEach
    void stop() throws Exception {
        publishing = false;
        for (Follower f : followers) {
            f.close();
        }
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private RunnelServer node(URI redisUri) {
        RunnelServer server = ClusterNode.start(redisUri, 0, 10_000);
        closing.add(server::stop);
        return server;
    }

    private FaultProxy proxy(int port) throws Exception {
        FaultProxy proxy = FaultProxy.to(port);
        closing.add(proxy);
        return proxy;
    }

    private Publisher publisher() {
        Publisher p = new Publisher("t");
        closing.add(p);
        return p;
    }

    private List<Follower> follow(int count, Supplier<Supplier<URI>> nodesForEach) throws InterruptedException {
        List<Follower> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Follower f = new Follower("t", nodesForEach.get());
            made.add(f);
            followers.add(f);
        }
        Await.until(() -> made.stream().allMatch(Follower::connected), count + " followers connected", Duration.ofSeconds(60));
        return made;
    }

    /** The nodes in turn, starting at a different one for each caller. */
    private static Supplier<Supplier<URI>> roundRobin(List<URI> nodes) {
        AtomicInteger start = new AtomicInteger();
        return () -> {
            AtomicInteger at = new AtomicInteger(start.getAndIncrement());
            return () -> nodes.get(Math.floorMod(at.getAndIncrement(), nodes.size()));
        };
    }

    private static Supplier<URI> roundRobinOf(List<URI> nodes) {
        return roundRobin(nodes).get();
    }

    private Thread publishing(Publisher publisher, Supplier<URI> nodes) {
        publishing = true;
        return publisher.publishEvery(PUBLISH_EVERY, nodes, () -> publishing);
    }

    /** Stops publishing, then publishes one more to {@code node} (until it is answered 2xx) and waits until every follower has it. */
    private void finish(Thread publishingThread, Publisher publisher, URI node) throws InterruptedException {
        publishing = false;
        publishingThread.join();
        Publisher.Sent last;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            last = publisher.publish(node);
            if (!last.acknowledged()) {
                Thread.sleep(100);
            }
        } while (!last.acknowledged() && System.nanoTime() < deadline);
        assertThat(last.acknowledged()).as("the last publish, after the fault: " + last).isTrue();
        long n = last.n();
        try {
            Await.until(() -> followers.stream().allMatch(f -> f.received(n)), "every follower received the last publish",
                    Duration.ofSeconds(120));
        } catch (AssertionError notAll) {
            List<Follower> behind = followers.stream().filter(f -> !f.received(n)).toList();
            throw new AssertionError(behind.size() + " of " + followers.size() + " followers did not receive " + n + "; "
                    + behind.stream().filter(Follower::connected).count() + " of them connected; first ones: "
                    + behind.stream().limit(5).map(Follower::toString).toList(), notAll);
        }
    }

    /** Nothing acknowledged was lost without a reset, nothing came twice or out of order; prints the figures. */
    private void assertNothingLostNorRepeated(Publisher publisher) {
        List<Publisher.Sent> all = publisher.all();
        System.out.printf(java.util.Locale.ROOT, "%s: %d publishes (%d answered 2xx, %d 503, slowest answer %d ms); %d followers, %d streams opened, %d resets%n",
                scenario, all.size(), all.stream().filter(Publisher.Sent::acknowledged).count(),
                all.stream().filter(x -> x.status() == 503).count(),
                all.stream().mapToLong(Publisher.Sent::tookNanos).max().orElse(0) / 1_000_000,
                followers.size(), followers.stream().mapToInt(Follower::connects).sum(), followers.stream().mapToInt(Follower::resets).sum());
        assertThat(Follower.violations(followers)).as("events twice or out of order").isEmpty();
        for (Follower f : followers) {
            assertThat(publisher.lost(f)).as("acknowledged publishes a follower never got, without a reset").isEmpty();
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d);
    }

    private static <T> T direct(URI uri, Function<StatefulRedisConnection<String, String>, T> command) {
        RedisClient client = RedisClient.create(uri.toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    // ---- Redis unreachable -----------------------------------------------------------------------

    @Test
    void whileRedisRefusesEveryConnectionPublishesFailFastWith503NoneIsHalfStoredAndFollowersLoseNothing() throws Exception {
        redis = RedisServer.start(true);
        List<FaultProxy> proxies = new ArrayList<>();
        List<URI> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FaultProxy p = proxy(redis.port());
            proxies.add(p);
            nodes.add(node(redisUri(p)).uri());
        }
        follow(30, roundRobin(nodes));
        Publisher publisher = publisher();
        Thread pub = publishing(publisher, roundRobinOf(nodes));
        sleep(Duration.ofSeconds(1));

        long outageFrom = System.nanoTime();
        for (FaultProxy p : proxies) {
            p.refuse(true);
            p.cutAll();
        }
        sleep(outage());
        long outageTo = System.nanoTime();
        proxies.forEach(p -> p.refuse(false));
        sleep(Duration.ofSeconds(1));
        finish(pub, publisher, nodes.get(0));

        List<Publisher.Sent> during = publisher.all().stream()
                .filter(s -> s.sentNanos() > outageFrom + Duration.ofMillis(200).toNanos() && s.sentNanos() < outageTo).toList();
        assertThat(during).as("publishes during the outage").isNotEmpty()
                .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(503));
        assertThat(publisher.all()).as("every publish is answered 200 or 503, and fast")
                .allSatisfy(s -> {
                    assertThat(s.status()).as(s.toString()).isIn(200, 503);
                    assertThat(Duration.ofNanos(s.tookNanos())).as(s.toString()).isLessThan(Duration.ofSeconds(1));
                });
        assertNeverHalfStored(publisher);
        assertNothingLostNorRepeated(publisher);
        assertThat(followers).allSatisfy(f -> assertThat(f.resets()).isZero());
    }

    @Test
    void whileRedisIsBlackholedPublishesFailWith503WithinTheTimeoutAndFollowersLoseNothing() throws Exception {
        redis = RedisServer.start(true);
        List<FaultProxy> proxies = new ArrayList<>();
        List<URI> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FaultProxy p = proxy(redis.port());
            proxies.add(p);
            nodes.add(node(redisUri(p)).uri());
        }
        follow(30, roundRobin(nodes));
        Publisher publisher = publisher();
        Thread pub = publishing(publisher, () -> nodes.get(0)); // one node: its wait for the timeout comes once
        sleep(Duration.ofSeconds(1));

        long outageFrom = System.nanoTime();
        for (FaultProxy p : proxies) {
            p.blackhole(true);
            p.stall(true); // packets go nowhere: nothing answers, nothing is closed
        }
        sleep(outage());
        long outageTo = System.nanoTime();
        for (FaultProxy p : proxies) {
            p.stall(false);
            p.blackhole(false);
        }
        sleep(Duration.ofSeconds(1));
        finish(pub, publisher, nodes.get(0));

        // a publish sent late in the outage may wait and be stored once the network is back: only those answered within it count
        List<Publisher.Sent> during = publisher.all().stream()
                .filter(s -> s.sentNanos() > outageFrom + Duration.ofMillis(200).toNanos() && s.sentNanos() + s.tookNanos() < outageTo).toList();
        assertThat(during).as("publishes answered during the outage").hasSizeGreaterThan(3)
                .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(503));
        assertThat(publisher.all()).as("every publish is answered 200 or 503, within the log's timeout (2 s) and a margin")
                .allSatisfy(s -> {
                    assertThat(s.status()).as(s.toString()).isIn(200, 503);
                    assertThat(Duration.ofNanos(s.tookNanos())).as(s.toString()).isLessThan(Duration.ofMillis(3500));
                });
        // a silent Redis costs each node one wait for the timeout; after it, publishes fail fast until Redis answers again
        assertThat(publisher.all()).as("publishes that waited for the log's timeout: the first only")
                .filteredOn(s -> s.tookNanos() > Duration.ofSeconds(1).toNanos()).hasSizeLessThanOrEqualTo(1);
        assertNeverHalfStored(publisher);
        assertNothingLostNorRepeated(publisher);
        assertThat(followers).allSatisfy(f -> assertThat(f.resets()).isZero());
    }

    /** A publish answered "nothing was published" never reaches anyone. */
    private void assertNeverHalfStored(Publisher publisher) {
        for (Publisher.Sent s : publisher.all()) {
            if (s.status() == 503 && s.body().contains("nothing was published")) {
                assertThat(followers).as("publish " + s.n() + " was answered '" + s.body() + "'")
                        .noneMatch(f -> f.received(s.n()));
            }
        }
    }

    // ---- a publish whose reply is lost ---------------------------------------------------------

    @Test
    void aPublishWhoseRedisReplyIsLostIsAnswered503AndReachesEveryFollowerOnce() throws Exception {
        redis = RedisServer.start(true);
        FaultProxy proxy = FaultProxy.to(redis.port());
        closing.add(proxy);
        URI a = node(redisUri(proxy)).uri();
        URI b = node(redis.uri()).uri();
        follow(20, roundRobin(List.of(a, b)));
        Publisher publisher = new Publisher("t", 1_000_000);
        closing.add(publisher);
        for (int i = 0; i < 5; i++) {
            assertThat(publisher.publish(a).acknowledged()).isTrue();
        }

        // Redis runs the append and answers; the answer never reaches node A
        proxy.dropTheReplyTo("\r\n" + publisher.next() + "\r\n");
        Publisher.Sent lost = publisher.publish(a);
        assertThat(proxy.awaitDroppedReply(Duration.ofSeconds(10))).as("the append's reply was dropped").isNotNull();
        assertThat(lost.status()).as(lost.toString()).isEqualTo(503);
        assertThat(lost.body()).contains("the event may or may not have been stored");
        Thread pub = publishing(publisher, roundRobinOf(List.of(a, b)));
        sleep(Duration.ofSeconds(1));
        finish(pub, publisher, b);

        assertThat(followers).as("stored once, so every follower gets it once").allSatisfy(f -> assertThat(f.received(lost.n())).isTrue());
        assertNothingLostNorRepeated(publisher);
        assertThat(followers).allSatisfy(f -> assertThat(f.resets()).isZero());
    }

    // ---- Redis restarted without persistence ---------------------------------------------------

    @Test
    void whenRedisRestartsEmptyEveryFollowerGetsAResetAndNothingIsLostSilently() throws Exception {
        redis = RedisServer.start(false);
        List<URI> nodes = List.of(node(redis.uri()).uri(), node(redis.uri()).uri(), node(redis.uri()).uri());
        follow(30, roundRobin(nodes));
        Publisher publisher = publisher();
        Thread pub = publishing(publisher, roundRobinOf(nodes));
        sleep(Duration.ofSeconds(1));

        redis.kill();
        sleep(Duration.ofMillis(500));
        redis.start();
        sleep(Duration.ofSeconds(2));
        finish(pub, publisher, nodes.get(0));

        assertNothingLostNorRepeated(publisher);
        assertThat(followers).as("every follower was told it may have missed events").allSatisfy(f -> assertThat(f.resets()).isPositive());
    }

    // ---- failover to a replica that lags -------------------------------------------------------

    @Test
    void afterAFailoverToAReplicaThatLaggedEveryFollowerGetsAResetAndNothingIsLostSilently() throws Exception {
        redis = RedisServer.start(false);
        RedisServer replica = RedisServer.start(false);
        closing.add(replica);
        FaultProxy replication = proxy(redis.port());
        direct(replica.uri(), c -> c.sync().replicaof("127.0.0.1", replication.port()));
        List<FaultProxy> proxies = new ArrayList<>();
        List<URI> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FaultProxy p = proxy(redis.port());
            proxies.add(p);
            nodes.add(node(redisUri(p)).uri());
        }
        follow(30, roundRobin(nodes));
        Publisher publisher = publisher();
        Thread pub = publishing(publisher, roundRobinOf(nodes));
        sleep(Duration.ofSeconds(1));
        Await.until(() -> {
            String seq = direct(redis.uri(), c -> c.sync().get("runnel:seq"));
            String copied = direct(replica.uri(), c -> c.sync().get("runnel:seq"));
            return copied != null && Long.parseLong(copied) > 10 && Long.parseLong(seq) - Long.parseLong(copied) < 20;
        }, "the replica follows", Duration.ofSeconds(20));

        replication.stall(true); // from here the replica lags
        long copiedAt = Long.parseLong(direct(replica.uri(), c -> c.sync().get("runnel:seq")));
        Await.until(() -> Long.parseLong(direct(redis.uri(), c -> c.sync().get("runnel:seq"))) > copiedAt + 20,
                "the master stored 20 events the replica has not", Duration.ofSeconds(20));
        // the master dies; the replica is promoted and the nodes' addresses now lead to it
        redis.kill();
        direct(replica.uri(), c -> c.sync().replicaofNoOne());
        for (FaultProxy p : proxies) {
            p.retarget(replica.port());
            p.cutAll();
        }
        sleep(Duration.ofSeconds(2));
        finish(pub, publisher, nodes.get(0));

        assertNothingLostNorRepeated(publisher);
        assertThat(followers).as("every follower was told it may have missed events").allSatisfy(f -> assertThat(f.resets()).isPositive());
    }

    // ---- a node killed, a node stopped ---------------------------------------------------------

    @Test
    void whenANodeIsKilledItsClientsResumeOnTheOthersWithLastEventIdAndLoseNothing() throws Exception {
        redis = RedisServer.start(true);
        NodeProcess victim = NodeProcess.start(redis.uri());
        closing.add(victim);
        List<URI> others = List.of(node(redis.uri()).uri(), node(redis.uri()).uri());
        Supplier<Supplier<URI>> rest = roundRobin(others);
        follow(clientsOnKilledNode(), () -> {
            Supplier<URI> then = rest.get();
            AtomicInteger calls = new AtomicInteger();
            return () -> calls.getAndIncrement() == 0 ? victim.uri() : then.get();
        });
        List<Follower> onOthers = follow(20, roundRobin(others));
        Publisher publisher = publisher();
        Thread pub = publishing(publisher, roundRobinOf(others));
        sleep(Duration.ofSeconds(1));

        victim.kill();
        // publishing goes on while its clients move, and a while after the last one did
        List<Follower> moving = followers.stream().filter(f -> !onOthers.contains(f)).toList();
        Await.until(() -> moving.stream().allMatch(f -> f.connects() >= 2 && f.connected()), "the killed node's clients moved",
                Duration.ofSeconds(120));
        sleep(Duration.ofSeconds(1));
        finish(pub, publisher, others.get(0));

        assertNothingLostNorRepeated(publisher);
        assertThat(followers).allSatisfy(f -> assertThat(f.resets()).isZero());
        assertThat(followers).as("the killed node's clients moved").filteredOn(f -> !onOthers.contains(f))
                .allSatisfy(f -> assertThat(f.connects()).isGreaterThanOrEqualTo(2));
    }

    @Test
    void aNodeStoppedForAWhileCatchesUpAndNoFollowerLosesAnything() throws Exception {
        redis = RedisServer.start(true);
        NodeProcess stopped = NodeProcess.start(redis.uri());
        closing.add(stopped);
        URI healthy = node(redis.uri()).uri();
        List<Follower> onStopped = follow(20, () -> {
            AtomicInteger calls = new AtomicInteger();
            return () -> calls.getAndIncrement() == 0 ? stopped.uri() : healthy;
        });
        List<Follower> onHealthy = follow(20, () -> () -> healthy);
        Publisher publisher = publisher();
        Thread pub = publishing(publisher, () -> healthy);
        sleep(Duration.ofSeconds(1));

        stopped.signal(true);
        long before = onHealthy.stream().mapToLong(Follower::highest).min().orElseThrow();
        sleep(stall());
        long during = onHealthy.stream().mapToLong(Follower::highest).min().orElseThrow();
        stopped.signal(false);
        sleep(Duration.ofSeconds(1));
        finish(pub, publisher, healthy);

        assertThat(during).as("the other node's followers went on while it was stopped").isGreaterThan(before);
        assertNothingLostNorRepeated(publisher);
        assertThat(followers).allSatisfy(f -> assertThat(f.resets()).isZero());
        assertThat(onStopped).as("the stopped node's followers").allSatisfy(f -> assertThat(f.highest()).isPositive());
    }

    /** {@code redis://} to the proxy in front of Redis. */
    private static URI redisUri(FaultProxy proxy) {
        return URI.create("redis://127.0.0.1:" + proxy.port());
    }
}
