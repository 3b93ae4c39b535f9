package dev.runnel.redis;

import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubLog.Batch;
import dev.runnel.hub.HubLog.Entry;
import dev.runnel.hub.HubLog.Position;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.FaultProxy;
import dev.runnel.testkit.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RedisHubLog} through the {@link HubLog} contract alone, on a real Redis started for each
 * test: what one node's log appends, reads and waits for, what two nodes sharing one Redis see, and
 * what it answers when Redis is down, flushed, or comes back older than what a node read.
 */
class RedisHubLogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int RETAIN = 1_000;
    private RedisServer redis;
    private FaultProxy proxy;
    private final List<RedisHubLog> logs = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        logs.forEach(RedisHubLog::close);
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private RedisHubLog log() {
        return log(redis.uri());
    }

    private RedisHubLog log(URI uri) {
        RedisHubLog log = RedisHubLog.builder(uri).timeout(Duration.ofSeconds(5)).build();
        logs.add(log);
        return log;
    }

    private RedisHubLog startWithLog(boolean appendOnly) throws IOException {
        redis = RedisServer.start(appendOnly);
        return log();
    }

    private static Map<String, String> event(String topic, String data) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("t", topic);
        fields.put("d", data);
        return fields;
    }

    private static List<Long> seqs(List<Entry> entries) {
        return entries.stream().map(Entry::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** A command sent straight to Redis, as an operator's redis-cli would. */
    private <T> T direct(Function<StatefulRedisConnection<String, String>, T> command) {
        RedisClient client = RedisClient.create(redis.uri().toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** The first read that answers once the log reconnected, as the reader would retry it. */
    private static Batch readAgain(HubLog log, String epoch, long after) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return log.read(epoch, after, 100);
            } catch (HubUnavailableException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }

    // ---- appending and reading -------------------------------------------------------------------

    @Test
    void appendsGetConsecutiveSequenceNumbersOfOneEpochAndAreReadInThatOrder() throws Exception {
        RedisHubLog log = startWithLog(false);
        List<Position> appended = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            appended.add(log.append(event("topic-" + (i % 3), "data " + i), RETAIN));
        }
        String epoch = appended.get(0).epoch();
        assertThat(appended).extracting(Position::epoch).containsOnly(epoch);
        assertThat(appended).extracting(Position::seq).containsExactlyElementsOf(range(1, 60));

        Batch batch = log.read(epoch, 0, 1_000);

        assertThat(batch.epoch()).isEqualTo(epoch);
        assertThat(batch.head()).isEqualTo(60);
        assertThat(batch.trimmedThrough()).isZero();
        assertThat(seqs(batch.entries())).containsExactlyElementsOf(range(1, 60));
        for (Entry entry : batch.entries()) {
            assertThat(entry.fields()).isEqualTo(event("topic-" + (entry.seq() % 3), "data " + entry.seq()));
            assertThat(entry.publishedMillis()).isPositive().isLessThanOrEqualTo(batch.nowMillis());
        }
        assertThat(log.head()).isEqualTo(new Position(epoch, 60));
    }

    @Test
    void theEntryIdInRedisIsEpochDashSeq() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position at = log.append(event("t", "x"), RETAIN);

        List<String> ids = direct(c -> c.sync().xrange("runnel:log", Range.create("-", "+")))
                .stream().map(StreamMessage::getId).toList();

        assertThat(ids).containsExactly(at.epoch() + "-" + at.seq());
    }

    @Test
    void aReadReturnsOnlyEntriesAboveThePositionAndAtMostTheLimit() throws Exception {
        RedisHubLog log = startWithLog(false);
        String epoch = null;
        for (int i = 1; i <= 25; i++) {
            epoch = log.append(event("t", Integer.toString(i)), RETAIN).epoch();
        }
        List<Long> paged = new ArrayList<>();
        long after = 0;
        int reads = 0;
        while (true) {
            Batch batch = log.read(epoch, after, 7);
            assertThat(batch.entries()).hasSizeLessThanOrEqualTo(7);
            assertThat(batch.head()).isEqualTo(25);
            if (batch.entries().isEmpty()) {
                break;
            }
            paged.addAll(seqs(batch.entries()));
            after = batch.entries().getLast().seq();
            reads++;
        }
        assertThat(paged).containsExactlyElementsOf(range(1, 25));
        assertThat(reads).isEqualTo(4);
        assertThat(seqs(log.read(epoch, 20, 100).entries())).containsExactly(21L, 22L, 23L, 24L, 25L);
        assertThat(log.read(epoch, 10, 0).entries()).as("limit 0: the head only").isEmpty();
    }

    @Test
    void aReadInAnotherEpochOrNoneGetsTheEpochAndHeadButNoEntries() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position at = log.append(event("t", "x"), RETAIN);

        Batch none = log.read(null, 0, 100);
        Batch other = log.read("1", 0, 100);

        assertThat(none.epoch()).isEqualTo(at.epoch());
        assertThat(none.head()).isEqualTo(1);
        assertThat(none.entries()).isEmpty();
        assertThat(other.entries()).isEmpty();
        assertThat(other.epoch()).as("an epoch older than Redis's is no rollback").isEqualTo(at.epoch());
    }

    @Test
    void fieldsComeBackExactlyAsAppendedWhateverTheirBytes() throws Exception {
        RedisHubLog log = startWithLog(false);
        Map<String, String> odd = new LinkedHashMap<>();
        odd.put("t", "caf\u00e9/\u65e5\u672c/\uD83D\uDE00");
        odd.put("d", "line one\nline two\r\nline three\r");
        odd.put("empty", "");
        odd.put("ms", "a field the hub named like the log's own");
        odd.put("nul", "before\u0000after");
        odd.put("big", "\u00e9".repeat(32 * 1024) + "x".repeat(64 * 1024));
        odd.put("\u00fcnicode name", "value with \"quotes\" and \\ backslash and { braces }");
        Map<String, String> empty = Map.of();

        String epoch = log.append(odd, RETAIN).epoch();
        log.append(empty, RETAIN);
        List<Entry> entries = log.read(epoch, 0, 10).entries();

        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).fields()).containsExactlyEntriesOf(odd);
        assertThat(entries.get(1).fields()).isEmpty();
    }

    @Test
    void anEventWithThousandsOfFieldsRoundTrips() throws Exception {
        RedisHubLog log = startWithLog(false);
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < RedisHubLog.MAX_FIELDS; i++) {
            many.put("f" + i, "v" + i);
        }

        String epoch = log.append(many, RETAIN).epoch();

        assertThat(log.read(epoch, 0, 1).entries().get(0).fields()).containsExactlyEntriesOf(many);
    }

    @Test
    void anEventWithMoreFieldsThanTheScriptTakesIsRefusedBeforeRedis() throws Exception {
        RedisHubLog log = startWithLog(false);
        Map<String, String> tooMany = new LinkedHashMap<>();
        for (int i = 0; i <= RedisHubLog.MAX_FIELDS; i++) {
            tooMany.put("f" + i, "v");
        }

        assertThatThrownBy(() -> log.append(tooMany, RETAIN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Integer.toString(RedisHubLog.MAX_FIELDS + 1));
        assertThat(log.head().seq()).isZero();
    }

    @Test
    void concurrentAppendsEachGetTheirOwnSequenceNumber() throws Exception {
        RedisHubLog log = startWithLog(false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Long>>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        mine.add(log.append(event("t", worker + ":" + i), RETAIN).seq());
                    }
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : workers) {
                List<Long> mine = f.get(60, TimeUnit.SECONDS);
                assertThat(mine).isSorted();
                all.addAll(mine);
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(range(1, 200));
            Batch batch = log.read(log.head().epoch(), 0, 1_000);
            assertThat(seqs(batch.entries())).containsExactlyElementsOf(range(1, 200));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- retention --------------------------------------------------------------------------------

    @Test
    void retentionKeepsAtLeastTheNewestEntriesAndSaysThroughWhichSeqItRemoved() throws Exception {
        RedisHubLog log = startWithLog(false);
        String epoch = log.read(null, 0, 0).epoch();
        assertThat(log.read(epoch, 0, 10).trimmedThrough()).isZero();
        for (int i = 1; i <= 1_000; i++) {
            log.append(event("t-" + (i % 7), Integer.toString(i)), 10);
        }

        Batch fromStart = log.read(epoch, 0, 2_000);

        long trimmed = fromStart.trimmedThrough();
        assertThat(trimmed).as("MAXLEN ~ 10 removed most of 1000").isGreaterThan(500).isLessThanOrEqualTo(990);
        assertThat(seqs(fromStart.entries())).as("everything after the trimmed part is still there")
                .containsExactlyElementsOf(range(trimmed + 1, 1_000));
        Batch behindEverything = log.read(epoch, 3, 5);
        assertThat(behindEverything.trimmedThrough()).isEqualTo(trimmed);
        assertThat(seqs(behindEverything.entries())).containsExactlyElementsOf(range(trimmed + 1, trimmed + 5));
        Batch atTheHead = log.read(epoch, 1_000, 5);
        assertThat(atTheHead.entries()).isEmpty();
        assertThat(atTheHead.trimmedThrough()).as("known without any entry returned").isEqualTo(trimmed);
        assertThat(log.read(null, 0, 5).trimmedThrough()).as("known without the epoch asked").isEqualTo(trimmed);
    }

    @Test
    void whatWasTrimmedInAnEarlierEpochIsNotReportedForTheNewOne() throws Exception {
        RedisHubLog log = startWithLog(false);
        for (int i = 1; i <= 300; i++) {
            log.append(event("t", Integer.toString(i)), 5);
        }
        String first = log.head().epoch();
        assertThat(log.read(first, 0, 1).trimmedThrough()).isPositive();
        direct(c -> c.sync().del("runnel:epoch")); // as an operator resetting the hub's epoch would

        Position next = log.append(event("t", "new"), 5);

        assertThat(Long.parseLong(next.epoch())).isGreaterThan(Long.parseLong(first));
        Batch batch = log.read(next.epoch(), 0, 100);
        assertThat(batch.trimmedThrough()).isZero();
        assertThat(next.seq()).as("a new epoch counts from 1").isEqualTo(1);
        assertThat(seqs(batch.entries())).containsExactly(1L);
    }

    @Test
    void aLogStreamDeletedByHandReadsAsEverythingTrimmed() throws Exception {
        RedisHubLog log = startWithLog(false);
        for (int i = 1; i <= 4; i++) {
            log.append(event("t", Integer.toString(i)), RETAIN);
        }
        String epoch = log.head().epoch();
        direct(c -> c.sync().del("runnel:log"));

        Batch batch = log.read(epoch, 2, 10);

        assertThat(batch.entries()).isEmpty();
        assertThat(batch.head()).isEqualTo(4);
        assertThat(batch.trimmedThrough()).isEqualTo(4);
    }

    // ---- epochs -----------------------------------------------------------------------------------

    @Test
    void anEmptyRedisGetsAnEpochFromItsClockAndHeadZero() throws Exception {
        RedisHubLog log = startWithLog(false);
        long before = System.currentTimeMillis();

        Position head = log.head();
        Batch batch = log.read(null, 0, 10);

        assertThat(head.seq()).isZero();
        assertThat(Long.parseLong(head.epoch())).isBetween(before - 60_000, System.currentTimeMillis() + 60_000);
        assertThat(batch.epoch()).isEqualTo(head.epoch());
        assertThat(batch.head()).isZero();
        assertThat(batch.entries()).isEmpty();
        assertThat(batch.nowMillis()).isGreaterThanOrEqualTo(Long.parseLong(head.epoch()));
        assertThat(log.append(event("t", "first"), RETAIN)).isEqualTo(new Position(head.epoch(), 1));
    }

    @Test
    void afterFlushallTheReaderGetsANewGreaterEpochAndOldIdsNameNothing() throws Exception {
        RedisHubLog log = startWithLog(false);
        for (int i = 1; i <= 3; i++) {
            log.append(event("t", "old " + i), RETAIN);
        }
        String first = log.head().epoch();
        assertThat(log.read(first, 0, 10).head()).isEqualTo(3);
        direct(c -> c.sync().flushall());

        Batch batch = log.read(first, 3, 10);

        assertThat(batch.epoch()).isNotEqualTo(first);
        assertThat(Long.parseLong(batch.epoch())).isGreaterThan(Long.parseLong(first));
        assertThat(batch.entries()).isEmpty();
        Position next = log.append(event("t", "new"), RETAIN);
        assertThat(next.epoch()).isEqualTo(batch.epoch());
        assertThat(seqs(log.read(batch.epoch(), 0, 10).entries())).containsExactly(next.seq());
    }

    @Test
    void aRedisRestoredFromAnOlderSnapshotGivesTheReaderANewGreaterEpochEvenAfterOthersAppended() throws Exception {
        redis = RedisServer.start(false);
        RedisHubLog reader = log();
        String epoch = reader.head().epoch();
        for (int i = 1; i <= 5; i++) {
            reader.append(event("t", "kept " + i), RETAIN);
        }
        assertThat(reader.read(epoch, 0, 100).head()).isEqualTo(5);
        assertThat(this.<String>direct(c -> c.sync().save())).isEqualTo("OK");
        Path snapshot = Files.copy(redis.dataDir().resolve("dump.rdb"), redis.dataDir().resolve("snapshot-at-5.rdb"));
        for (int i = 6; i <= 10; i++) {
            reader.append(event("t", "lost " + i), RETAIN);
        }
        assertThat(seqs(reader.read(epoch, 5, 100).entries())).containsExactlyElementsOf(range(6, 10));

        restore(snapshot);
        // another node appends first: Redis hands out 6..13 again in the same epoch
        RedisHubLog other = log();
        List<Position> again = new ArrayList<>();
        for (int i = 6; i <= 13; i++) {
            again.add(other.append(event("t", "new " + i), RETAIN));
        }
        assertThat(again.get(0)).as("Redis came back with its epoch and reuses the ids after 5")
                .isEqualTo(new Position(epoch, 6));

        Batch batch = readAgain(reader, epoch, 10);

        assertThat(Long.parseLong(batch.epoch())).as("went back behind what this node read: a new, greater epoch")
                .isGreaterThan(Long.parseLong(epoch));
        assertThat(batch.entries()).isEmpty();
        assertThat(batch.head()).as("the new epoch counts from 1 again").isZero();
        assertThat(batch.trimmedThrough()).isZero();
        Position next = other.append(event("t", "after"), RETAIN);
        assertThat(next).isEqualTo(new Position(batch.epoch(), 1));
        assertThat(reader.read(batch.epoch(), batch.head(), 10).entries()).extracting(Entry::seq).containsExactly(next.seq());
    }

    @Test
    void aCopyOlderThanAnEpochChangeIsCaughtTooAndStartsAnEpochNewerThanBoth() throws Exception {
        redis = RedisServer.start(false);
        RedisHubLog log = log();
        String first = log.read(null, 0, 0).epoch();
        log.append(event("t", "1"), RETAIN);
        assertThat(log.read(first, 0, 10).head()).isEqualTo(1);
        assertThat(this.<String>direct(c -> c.sync().save())).isEqualTo("OK");
        Path snapshot = Files.copy(redis.dataDir().resolve("dump.rdb"), redis.dataDir().resolve("snapshot-at-1.rdb"));
        log.append(event("t", "2"), RETAIN);
        assertThat(log.read(first, 1, 10).head()).isEqualTo(2);

        restore(snapshot);
        String second = readAgain(log, first, 2).epoch();
        assertThat(second).as("went back behind what this node read: a new epoch").isNotEqualTo(first);
        restore(snapshot); // the same copy again: it holds the first epoch, older than this node's
        String third = readAgain(log, second, 0).epoch();

        assertThat(third).isNotIn(first, second);
        assertThat(Long.parseLong(third)).isGreaterThan(Long.parseLong(second));
        assertThat(log.append(event("t", "3"), RETAIN).epoch()).isEqualTo(third);
    }

    @Test
    void aReaderThatReadsAgainAtTheSameHeadKeepsItsEpoch() throws Exception {
        RedisHubLog log = startWithLog(false);
        log.append(event("t", "1"), RETAIN);
        String epoch = log.head().epoch();
        for (int i = 0; i < 5; i++) {
            assertThat(log.read(epoch, 0, 10).epoch()).isEqualTo(epoch);
        }
        log.append(event("t", "2"), RETAIN);
        assertThat(log.read(epoch, 1, 10).epoch()).isEqualTo(epoch);
    }

    /** Puts {@code snapshot} back as Redis's data and restarts Redis on its port. */
    private void restore(Path snapshot) throws IOException {
        redis.shutdownWithoutSaving();
        Files.copy(snapshot, redis.dataDir().resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        redis.start();
    }

    // ---- waiting ----------------------------------------------------------------------------------

    @Test
    void awaitReturnsWhenAnotherNodeAppends() throws Exception {
        redis = RedisServer.start(false);
        RedisHubLog reader = log();
        RedisHubLog writer = log();
        Position at = writer.append(event("t", "1"), RETAIN);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> awaitQuietly(reader, at.epoch(), at.seq(), Duration.ofSeconds(60)));
        Thread.sleep(200); // let the XREAD block first; returning before it would also pass, never wrongly fail
        assertThat(waiting).isNotDone();

        writer.append(event("t", "2"), RETAIN);

        waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void awaitReturnsAtOnceWhenEntriesAboveThePositionAreThere() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position at = log.append(event("t", "1"), RETAIN);
        log.append(event("t", "2"), RETAIN);

        CompletableFuture.runAsync(() -> awaitQuietly(log, at.epoch(), at.seq(), Duration.ofSeconds(60)))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void awaitReturnsOnWakeAndAWakeBeforeTheAwaitIsNotLost() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position head = log.head();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> awaitQuietly(log, head.epoch(), head.seq(), Duration.ofSeconds(60)));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();

        log.wake();
        waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        log.wake(); // no await is running: the next one returns at once
        CompletableFuture.runAsync(() -> awaitQuietly(log, head.epoch(), head.seq(), Duration.ofSeconds(60)))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void awaitReturnsAfterTheTimeoutWhenNothingHappens() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position head = log.head();
        long start = System.nanoTime();

        log.await(head.epoch(), head.seq(), Duration.ofMillis(300));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void anotherNodesWakeDoesNotWakeThisOne() throws Exception {
        redis = RedisServer.start(false);
        RedisHubLog one = log();
        RedisHubLog two = log();
        Position head = one.head();
        two.wake();
        long start = System.nanoTime();

        one.await(head.epoch(), head.seq(), Duration.ofMillis(300));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void interruptingAnAwaitEndsItWithInterruptedException() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position head = log.head();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                log.await(head.epoch(), head.seq(), Duration.ofSeconds(60));
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        Thread.sleep(200);

        reader.interrupt();

        assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        reader.join(WAIT.toMillis());
        // the reader's connection is free again at once, not blocked in Redis until the 60 s pass
        assertThat(log.read(head.epoch(), 0, 10).entries()).isEmpty();
        log.append(event("t", "1"), RETAIN);
        assertThat(log.read(head.epoch(), 0, 10).entries()).hasSize(1);
    }

    private static void awaitQuietly(HubLog log, String epoch, long after, Duration timeout) {
        try {
            log.await(epoch, after, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- two nodes --------------------------------------------------------------------------------

    @Test
    void twoNodesOnOneRedisShareOneSequenceAndEachReadsEverything() throws Exception {
        redis = RedisServer.start(false);
        RedisHubLog a = log();
        RedisHubLog b = log();
        List<String> order = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            RedisHubLog by = i % 3 == 0 ? b : a;
            String data = (by == a ? "a" : "b") + i;
            Position at = by.append(event("topic-" + i, data), RETAIN);
            assertThat(at.seq()).isEqualTo(i);
            order.add(data);
        }
        String epoch = a.head().epoch();

        for (RedisHubLog node : List.of(a, b)) {
            Batch batch = node.read(epoch, 0, 100);
            assertThat(batch.epoch()).isEqualTo(epoch);
            assertThat(batch.entries()).extracting(e -> e.fields().get("d")).containsExactlyElementsOf(order);
        }
        // reading again after the other appended: neither node mistakes the other's progress for a rollback
        a.append(event("t", "21"), RETAIN);
        assertThat(b.read(epoch, 20, 100).entries()).extracting(Entry::seq).containsExactly(21L);
        assertThat(a.read(epoch, 20, 100).epoch()).isEqualTo(epoch);
        assertThat(b.read(epoch, 21, 100).epoch()).isEqualTo(epoch);
    }

    // ---- Redis down -------------------------------------------------------------------------------

    @Test
    void whileRedisIsDownEveryCallFailsAtOnceWithHubUnavailableAndAfterARestartTheLogGoesOn() throws Exception {
        RedisHubLog log = startWithLog(true);
        Position first = log.append(event("t", "before"), RETAIN);
        assertThat(log.read(first.epoch(), 0, 10).head()).isEqualTo(1);
        redis.kill();
        Await.until(() -> !log.ping(Duration.ofMillis(500)), "the log noticed", WAIT);

        long start = System.nanoTime();
        assertThatThrownBy(() -> log.append(event("t", "lost"), RETAIN)).isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("Redis at 127.0.0.1:" + redis.port())
                .hasMessageEndingWith("nothing was published");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails without waiting for the 5 s timeout")
                .isLessThan(Duration.ofSeconds(4));
        assertThatThrownBy(log::head).isInstanceOf(HubUnavailableException.class);
        assertThatThrownBy(() -> log.read(first.epoch(), 1, 10)).isInstanceOf(HubUnavailableException.class);
        assertThatThrownBy(() -> log.await(first.epoch(), 1, Duration.ofMillis(100))).isInstanceOf(HubUnavailableException.class);
        log.wake(); // never throws

        redis.start();
        Await.until(() -> log.ping(Duration.ofMillis(500)), "the log reconnected", WAIT);
        Position second = log.append(event("t", "after"), RETAIN);
        assertThat(second).isEqualTo(new Position(first.epoch(), 2));
        Batch batch = readAgain(log, first.epoch(), 0);
        assertThat(batch.epoch()).as("append-only Redis lost nothing: same epoch").isEqualTo(first.epoch());
        assertThat(batch.entries()).extracting(e -> e.fields().get("d")).containsExactly("before", "after");
    }

    @Test
    void afterAnAppendGoesUnansweredTheNextOnesFailAtOnceUntilRedisAnswersAgain() throws Exception {
        redis = RedisServer.start(false);
        try (FaultProxy silent = FaultProxy.to(redis.port())) {
            RedisHubLog log = RedisHubLog.builder(redisUri(silent)).timeout(Duration.ofMillis(700)).build();
            logs.add(log);
            log.append(event("t", "before"), RETAIN);
            silent.stall(true); // the connection stays open; nothing comes back

            long start = System.nanoTime();
            assertThatThrownBy(() -> log.append(event("t", "unanswered"), RETAIN)).isInstanceOf(HubUnavailableException.class)
                    .hasMessageEndingWith("the event may or may not have been stored");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the first waits for the timeout").isGreaterThanOrEqualTo(Duration.ofMillis(700));
            for (int i = 0; i < 5; i++) {
                long each = System.nanoTime();
                assertThatThrownBy(() -> log.append(event("t", "refused"), RETAIN)).isInstanceOf(HubUnavailableException.class)
                        .hasMessageContaining("did not answer a command within 700 ms and has not answered since")
                        .hasMessageEndingWith("nothing was published");
                assertThatThrownBy(log::head).isInstanceOf(HubUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - each)).as("the next ones fail at once").isLessThan(Duration.ofMillis(300));
            }

            silent.stall(false);
            Await.until(() -> {
                try {
                    log.append(event("t", "after"), RETAIN);
                    return true;
                } catch (HubUnavailableException notYet) {
                    return false;
                }
            }, "appends go through once Redis answers", WAIT);
            List<String> stored = direct(c -> c.sync().xrange("runnel:log", io.lettuce.core.Range.create("-", "+"))).stream()
                    .map(m -> m.getBody().get("d")).toList();
            assertThat(stored).as("what was refused at once was never sent").doesNotContain("refused")
                    .startsWith("before", "unanswered").contains("after");
        }
    }

    @Test
    void anAppendWhoseReplyIsLostWithItsConnectionIsStoredOnce() throws Exception {
        redis = RedisServer.start(false);
        proxy = FaultProxy.to(redis.port());
        RedisHubLog log = log(redisUri(proxy));
        String probe = "probe-\u00e9-" + System.nanoTime();
        proxy.dropTheReplyTo(probe);

        Position stored = null;
        Throwable failure = null;
        try {
            stored = log.append(event("t", probe), RETAIN);
        } catch (HubUnavailableException e) {
            failure = e;
        }

        assertThat(proxy.awaitDroppedReply(WAIT)).as("Redis ran the append and answered").startsWith("*2\r\n");
        // give a re-send every chance to happen: connected again, and appended since
        Await.until(() -> log.ping(Duration.ofMillis(500)), "the log reconnected", WAIT);
        log.append(event("t", "later"), RETAIN);
        List<String> copies = this.<List<StreamMessage<String, String>>>direct(
                        c -> c.sync().xrange("runnel:log", Range.create("-", "+")))
                .stream().filter(m -> probe.equals(m.getBody().get("d"))).map(StreamMessage::getId).toList();
        assertThat(copies).as("entries holding the one append (Lettuce must not send it again after reconnecting)").hasSize(1);
        if (failure != null) {
            assertThat(failure).hasMessageEndingWith("the event may or may not have been stored");
        } else {
            assertThat(copies).containsExactly(stored.epoch() + "-" + stored.seq());
        }
    }

    @Test
    void aReadWhoseReplyIsLostWithItsConnectionIsNotMistakenForRedisGoingBack() throws Exception {
        redis = RedisServer.start(false);
        proxy = FaultProxy.to(redis.port());
        RedisHubLog log = log(redisUri(proxy));
        String epoch = log.append(event("t", "1"), RETAIN).epoch();
        assertThat(log.read(epoch, 0, 10).head()).isEqualTo(1);
        log.append(event("t", "2"), RETAIN);

        // this read moves the mark to 2 in Redis, and the node never hears of it
        proxy.dropTheReplyTo("runnel:read:");
        assertThatThrownBy(() -> log.read(epoch, 1, 10)).isInstanceOf(HubUnavailableException.class);
        assertThat(proxy.awaitDroppedReply(WAIT)).as("a read's reply was dropped").isNotNull();
        log.append(event("t", "3"), RETAIN);

        Batch batch = readAgain(log, epoch, 1);
        assertThat(batch.epoch()).isEqualTo(epoch);
        assertThat(seqs(batch.entries())).containsExactly(2L, 3L);
    }

    @Test
    void anEntryTheHubDidNotWriteDoesNotStopTheReader() throws Exception {
        RedisHubLog log = startWithLog(false);
        Position first = log.append(event("t", "1"), RETAIN);
        // by hand, as an operator or another program might: no publish time first
        direct(c -> c.sync().xadd("runnel:log", new XAddArgs().id(first.epoch() + "-2"),
                Map.of("d", "by hand")));
        direct(c -> c.sync().set("runnel:seq", "2"));
        log.append(event("t", "3"), RETAIN);

        List<Entry> entries = log.read(first.epoch(), 0, 10).entries();

        assertThat(seqs(entries)).containsExactly(1L, 2L, 3L);
        assertThat(entries.get(1).fields()).containsExactly(Map.entry("d", "by hand"));
        assertThat(entries.get(1).publishedMillis()).isZero();
    }

    @Test
    void connectingToARedisThatIsNotThereFailsWithHubUnavailable() {
        assertThatThrownBy(() -> RedisHubLog.connect(URI.create("redis://127.0.0.1:1")))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void aClosedLogNoLongerAnswersAndClosingAgainIsHarmless() throws Exception {
        RedisHubLog log = startWithLog(false);
        assertThat(log.ping(Duration.ofSeconds(5))).isTrue();

        log.close();
        log.close();

        assertThat(log.ping(Duration.ofMillis(200))).isFalse();
        log.wake();
        assertThatThrownBy(() -> log.append(event("t", "x"), RETAIN)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aKeyPrefixKeepsTwoHubsOnOneRedisApart() throws Exception {
        redis = RedisServer.start(false);
        RedisHubLog one = log();
        RedisHubLog two = RedisHubLog.builder(redis.uri()).keyPrefix("other:").build();
        logs.add(two);
        one.append(event("t", "one"), RETAIN);

        Position head = two.head();

        assertThat(head.seq()).isZero();
        assertThat(this.<Long>direct(c -> c.sync().exists("other:log"))).isZero();
        assertThat(two.append(event("t", "two"), RETAIN).seq()).isEqualTo(1);
        assertThat(this.<Long>direct(c -> c.sync().xlen("other:log"))).isEqualTo(1);
    }

    @Test
    void badArgumentsAreRefusedNamingTheValue() throws Exception {
        RedisHubLog log = startWithLog(false);
        String epoch = log.head().epoch();
        assertThatThrownBy(() -> log.read(epoch, -1, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> log.read(epoch, 0, -5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
        assertThatThrownBy(() -> log.append(event("t", "x"), 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    }

    /** {@code redis://} to the proxy in front of Redis. */
    private static URI redisUri(FaultProxy proxy) {
        return URI.create("redis://127.0.0.1:" + proxy.port());
    }
}
