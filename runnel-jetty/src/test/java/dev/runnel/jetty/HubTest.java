package dev.runnel.jetty;

import dev.runnel.ForbiddenException;
import dev.runnel.Fragment;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.TopicAccess;
import dev.runnel.testkit.RawSseClient;
import dev.runnel.testkit.WireEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Topics, broadcast, replay and slow clients, over real loopback connections to the embedded server. */
class HubTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<RunnelServer> servers = new ArrayList<>();
    private final List<RawSseClient> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        servers.forEach(RunnelServer::stop);
    }

    /** A server whose {@code /t/{topics}} subscribes to a comma-separated list of topics. */
    private RunnelServer serve(SseEngine engine, Duration writeTimeout) {
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).writeTimeout(writeTimeout)
                .before(ctx -> ctx.header("X-User").map(name -> ctx.withPrincipal((Principal) () -> name)).orElse(ctx))
                .build();
        Hub hub = engine.hub();
        server.sse("/t/{topics}", req -> hub.subscribe(req, Arrays.asList(req.pathParam("topics").split(",", -1)))
                .heartbeat(Duration.ofSeconds(60)));
        server.start();
        servers.add(server);
        return server;
    }

    private RunnelServer serve(SseEngine engine) {
        return serve(engine, Duration.ofSeconds(30));
    }

    private RawSseClient subscribe(RunnelServer server, String topics, Map<String, String> headers) throws Exception {
        RawSseClient client = RawSseClient.get(URI.create(server.uri() + "/t/" + topics), headers);
        clients.add(client);
        return client;
    }

    private RawSseClient subscribe(RunnelServer server, String topics) throws Exception {
        return subscribe(server, topics, Map.of());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        dev.runnel.testkit.Await.until(condition, what, WAIT);
    }

    private static List<String> data(List<WireEvents.Event> events) {
        return events.stream().map(WireEvents.Event::data).toList();
    }

    @Test
    void publishedEventReachesTheSubscriberWithTheIdTheHubAssigned() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = serve(engine);
        RawSseClient client = subscribe(server, "news");
        await(() -> engine.hub().subscribers("news") == 1, "subscribed");
        Published published = engine.hub().publish("news", "hello");
        assertThat(published.subscribers()).isEqualTo(1);
        List<WireEvents.Event> events = client.awaitEvents(1, WAIT);
        assertThat(events.get(0)).isEqualTo(new WireEvents.Event(null, published.id(), "hello"));
    }

    @Test
    void anEventPublishedAsSoonAsTheClientSeesTheHeadReachesItWithoutLastEventId() throws Exception {
        SseEngine engine = SseEngine.builder().retry(Duration.ofSeconds(2)).build();
        RunnelServer server = serve(engine);
        for (int i = 0; i < 40; i++) {
            String topic = "live-" + i;
            RawSseClient client = subscribe(server, topic);
            assertThat(client.status()).isEqualTo(200);
            // no waiting for the subscriber count: the 200 alone promises the event published now
            Published published = engine.hub().publish(topic, "right after the head ✓ " + i);
            assertThat(published.subscribers()).as("connection %d was attached once it answered 200", i).isEqualTo(1);
            List<WireEvents.Event> events = client.awaitEvents(2, WAIT);
            assertThat(data(events)).containsExactly("retry", "right after the head ✓ " + i);
            client.close();
        }
    }

    @Test
    void eachSubscriberGetsTheFragmentInItsOwnDialectFromOneRender() throws Exception {
        AtomicInteger renders = new AtomicInteger();
        SseEngine engine = SseEngine.builder().renderer(f -> {
            renders.incrementAndGet();
            return "<b>7</b>";
        }).build();
        RunnelServer server = serve(engine);
        RawSseClient htmx2 = subscribe(server, "panel");
        RawSseClient datastar = subscribe(server, "panel", Map.of("Datastar-Request", "true"));
        RawSseClient htmx4 = subscribe(server, "panel", Map.of("HX-Request", "true", "HX-Request-Type", "partial"));
        await(() -> engine.hub().subscribers("panel") == 3, "3 subscribed");
        String id = engine.hub().publish("panel", Fragment.of("page", "count", Map.of(), "count")).id();
        assertThat(htmx2.awaitText("\n\n", WAIT)).isEqualTo("event: count\nid: " + id + "\ndata: <b>7</b>\n\n");
        assertThat(datastar.awaitText("\n\n", WAIT)).isEqualTo("event: datastar-patch-elements\nid: " + id
                + "\ndata: selector #count\ndata: mode inner\ndata: elements <b>7</b>\n\n");
        assertThat(htmx4.awaitText("\n\n", WAIT)).isEqualTo("id: " + id + "\ndata: <hx-partial hx-target=\"#count\"><b>7</b></hx-partial>\n\n");
        assertThat(renders).hasValue(1);
    }

    @Test
    void aFragmentADatastarPageCouldNotTakeIsRefusedAtPublishAndNoStreamFailsOrLeaks() throws Exception {
        SseEngine engine = SseEngine.builder().renderer(f -> "<b>7</b>").build();
        RunnelServer server = serve(engine);
        RawSseClient datastar = subscribe(server, "panel", Map.of("Datastar-Request", "true"));
        RawSseClient htmx2 = subscribe(server, "panel");
        await(() -> engine.hub().subscribers("panel") == 2, "2 subscribed");

        Fragment sideways = Fragment.of("page", "count", Map.of(), "count").withSwap("sideways");
        assertThatThrownBy(() -> engine.hub().publish("panel", sideways))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DATASTAR");
        String id = engine.hub().publish("panel", Fragment.of("page", "count", Map.of(), "count")).id();

        assertThat(datastar.awaitText("\n\n", WAIT)).startsWith("event: datastar-patch-elements\nid: " + id);
        assertThat(htmx2.awaitText("\n\n", WAIT)).startsWith("event: count\nid: " + id);
        datastar.close();
        await(() -> engine.hub().subscribers("panel") == 1, "the Datastar stream left its topic");
        await(() -> engine.openStreams() == 1, "one stream open");
    }

    @Test
    void anHtmxSwapWithModifiersReachesDatastarAsItsStyleAndAnHtmxOnlyStyleIsPublishedWithAnErrorEventForDatastar() throws Exception {
        SseEngine engine = SseEngine.builder().renderer(f -> "<b>7</b>").build();
        RunnelServer server = serve(engine);
        RawSseClient datastar = subscribe(server, "panel", Map.of("Datastar-Request", "true"));
        RawSseClient htmx2 = subscribe(server, "panel");
        await(() -> engine.hub().subscribers("panel") == 2, "2 subscribed");

        String slow = engine.hub().publish("panel", Fragment.of("page", "count", Map.of(), "count").withSwap("outerHTML swap:1s")).id();
        String text = engine.hub().publish("panel", Fragment.of("page", "count", Map.of(), "count").withSwap("textContent")).id();
        String after = engine.hub().publish("panel", Fragment.of("page", "count", Map.of(), "count")).id();

        String onDatastar = datastar.awaitText("id: " + after, WAIT);
        assertThat(onDatastar).contains("id: " + slow + "\ndata: selector #count\ndata: mode outer\n");
        assertThat(onDatastar).as("the one event Datastar cannot take").contains("event: error").doesNotContain("id: " + text + "\n");
        String onHtmx = htmx2.awaitText("id: " + after, WAIT);
        assertThat(onHtmx).contains("id: " + text).doesNotContain("event: error");
        assertThat(engine.hub().subscribers("panel")).as("nobody left").isEqualTo(2);
    }

    @Test
    void thousandSubscribersOverLoopbackAllReceiveABroadcast() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = serve(engine);
        List<RawSseClient> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(subscribe(server, "all"));
        }
        await(() -> engine.hub().subscribers("all") == 1000, "1000 subscribed");
        Published published = engine.hub().publish("all", "to everyone");
        assertThat(published.subscribers()).isEqualTo(1000);
        for (RawSseClient client : many) {
            assertThat(client.awaitEvents(1, WAIT).get(0).data()).isEqualTo("to everyone");
        }
    }

    @Test
    void aPublishedFragmentIsRenderedOnceForAllSubscribers() throws Exception {
        AtomicInteger renders = new AtomicInteger();
        SseEngine engine = SseEngine.builder().renderer(f -> {
            renders.incrementAndGet();
            return "<b>" + f.context().get("n") + "</b>";
        }).build();
        RunnelServer server = serve(engine);
        List<RawSseClient> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(subscribe(server, "panel"));
        }
        await(() -> engine.hub().subscribers("panel") == 200, "200 subscribed");
        engine.hub().publish("panel", Fragment.of("page", "count", Map.of("n", 7), "count"));
        for (RawSseClient client : many) {
            WireEvents.Event event = client.awaitEvents(1, WAIT).get(0);
            assertThat(event.event()).isEqualTo("count");
            assertThat(event.data()).isEqualTo("<b>7</b>");
        }
        assertThat(renders).hasValue(1);
    }

    @Test
    void reconnectWithLastEventIdGetsExactlyTheMissedEventsWhilePublishingGoesOn() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withReplay(100_000, Duration.ofMinutes(5))).build();
        RunnelServer server = serve(engine);
        int total = 3000;
        String start = engine.hub().publish("feed", "start").id();
        Future<?> publisher = publishInBackground(engine.hub(), "feed", "n", total);
        List<String> received = readWithReconnects(server, "feed", total, start);
        publisher.get();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add("n" + i);
        }
        assertThat(received).containsExactlyElementsOf(expected);
    }

    @Test
    void reconnectAcrossSeveralTopicsMissesNothingAndRepeatsNothing() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withReplay(100_000, Duration.ofMinutes(5))).build();
        RunnelServer server = serve(engine);
        int each = 1500;
        String start = engine.hub().publish("a", "start").id();
        Future<?> a = publishInBackground(engine.hub(), "a", "a", each);
        Future<?> b = publishInBackground(engine.hub(), "b", "b", each);
        a.get();
        b.get();
        // the publishers are done; the reconnecting reader still has to see every event of both, once
        List<String> received = readWithReconnects(server, "a,b", 2 * each, start);
        assertThat(received.stream().filter(s -> s.startsWith("a")).toList()).containsExactlyElementsOf(sequence("a", each));
        assertThat(received.stream().filter(s -> s.startsWith("b")).toList()).containsExactlyElementsOf(sequence("b", each));
    }

    @Test
    void reconnectAcrossSeveralTopicsWhilePublishingGoesOn() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withReplay(100_000, Duration.ofMinutes(5))).build();
        RunnelServer server = serve(engine);
        int each = 1500;
        String start = engine.hub().publish("b", "start").id();
        Future<?> a = publishInBackground(engine.hub(), "a", "a", each);
        Future<?> b = publishInBackground(engine.hub(), "b", "b", each);
        List<String> received = readWithReconnects(server, "a,b", 2 * each, start);
        a.get();
        b.get();
        assertThat(received.stream().filter(s -> s.startsWith("a")).toList()).containsExactlyElementsOf(sequence("a", each));
        assertThat(received.stream().filter(s -> s.startsWith("b")).toList()).containsExactlyElementsOf(sequence("b", each));
    }

    /**
     * Reads {@code total} events of {@code topics} published after the event {@code startId},
     * dropping the connection every 250 events and resuming with the last id seen.
     */
    private List<String> readWithReconnects(RunnelServer server, String topics, int total, String startId) throws Exception {
        List<String> received = new ArrayList<>();
        String lastId = startId;
        long previousSeq = -1;
        int reconnects = 0;
        while (received.size() < total) {
            Map<String, String> headers = Map.of("Last-Event-ID", lastId);
            try (RawSseClient client = RawSseClient.get(URI.create(server.uri() + "/t/" + topics), headers)) {
                int want = Math.min(250, total - received.size());
                List<WireEvents.Event> events = client.awaitEvents(want, WAIT).subList(0, want);
                for (WireEvents.Event e : events) {
                    assertThat(e.event()).as("no reset expected").isNotEqualTo("runnel:reset");
                    long seq = Long.parseLong(e.id().substring(e.id().lastIndexOf('-') + 1));
                    assertThat(seq).as("ids increase").isGreaterThan(previousSeq);
                    previousSeq = seq;
                    received.add(e.data());
                    lastId = e.id();
                }
            }
            reconnects++;
        }
        assertThat(reconnects).isGreaterThan(3);
        return received;
    }

    private static Future<?> publishInBackground(Hub hub, String topic, String prefix, int count) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 1; i <= count; i++) {
                    hub.publish(topic, prefix + i);
                    if (i % 10 == 0) {
                        Thread.sleep(1);
                    }
                }
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    private static List<String> sequence(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void lastEventIdQueryParameterResumesLikeTheHeader() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = serve(engine);
        String first = engine.hub().publish("q", "one").id();
        engine.hub().publish("q", "two");
        RawSseClient client = RawSseClient.get(URI.create(server.uri() + "/t/q?lastEventId=" + first));
        clients.add(client);
        assertThat(data(client.awaitEvents(1, WAIT))).containsExactly("two");
    }

    @Test
    void malformedUnknownAndTooOldIdsGetTheResetEventThenLiveEvents() throws Exception {
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withReplay(3, Duration.ofMinutes(5))).build();
        RunnelServer server = serve(engine);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ids.add(engine.hub().publish("r", "old" + i).id());
        }
        String epoch = ids.get(0).substring(0, ids.get(0).lastIndexOf('-'));
        Map<String, String> cases = Map.of(
                "not-an-id\u00e9", "malformed",
                "x".repeat(5000), "malformed",
                "zz9-5", "unknown",
                epoch + "-999999", "unknown",
                ids.get(1), "expired");
        for (var c : cases.entrySet()) {
            RawSseClient client = subscribe(server, "r", Map.of("Last-Event-ID", c.getKey()));
            WireEvents.Event reset = client.awaitEvents(1, WAIT).get(0);
            assertThat(client.status()).isEqualTo(200);
            assertThat(reset.event()).isEqualTo("runnel:reset");
            assertThat(reset.data()).contains("\"reason\":\"" + c.getValue() + "\"").startsWith("{\"lastEventId\":");
            assertThat(reset.id()).isEqualTo(ids.get(9));
        }
        await(() -> engine.hub().subscribers("r") == cases.size(), "all subscribed");
        engine.hub().publish("r", "live");
        for (RawSseClient client : clients) {
            assertThat(client.awaitEvents(2, WAIT).get(1).data()).isEqualTo("live");
        }
        // an id still inside the buffer replays instead
        RawSseClient resumed = subscribe(server, "r", Map.of("Last-Event-ID", ids.get(8)));
        assertThat(data(resumed.awaitEvents(2, WAIT))).containsExactly("old10", "live");
    }

    @Test
    void aClientThatStopsReadingIsCutOffWhileTheOthersKeepReceiving() throws Exception {
        // 4 MiB of queue: a reading client on this busy 2-core machine has ~200 ms of slack at the rate below
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withQueueLimits(4096, 4 << 20)).build();
        RunnelServer server = serve(engine, Duration.ofSeconds(2));
        RawSseClient stalled = subscribe(server, "firehose"); // never read from again
        RawSseClient reader = subscribe(server, "firehose");
        await(() -> engine.hub().subscribers("firehose") == 2, "both subscribed");
        int total = 3000;
        String payload = "x".repeat(8192); // 24 MB in all: more than the stalled socket's buffers and queue hold
        var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return reader.awaitEvents(total, WAIT).size();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        for (int i = 0; i < total; i++) {
            engine.hub().publish("firehose", payload + i);
            if (i % 5 == 0) {
                Thread.sleep(1); // about 20 MB/s: a steady rate a reading client keeps up with
            }
        }
        assertThat(reading.get()).isEqualTo(total);
        await(() -> engine.hub().subscribers("firehose") == 1, "the stalled client was cut off");
        await(() -> engine.openStreams() == 1, "its stream ended");
        // the server closed the stalled connection: reading what was buffered ends at EOF
        assertThat(stalled.readToEnd(WAIT).length()).isLessThan(total * payload.length());
    }

    @Test
    void aSubscriberThatStopsReadingIsCutOffByTheWriteTimeoutAndEndsOnceWhileTheOthersGoOn() throws Exception {
        java.util.Queue<dev.runnel.EngineMetrics.EndReason> ends = new java.util.concurrent.ConcurrentLinkedQueue<>();
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withQueueLimits(100_000, 1L << 32))
                .metrics(new dev.runnel.EngineMetrics() {
                    @Override
                    public void streamEnded(String route, List<String> topics, EndReason reason, long nanos, long events, long bytes) {
                        ends.add(reason);
                    }
                }).build();
        // 2 s: the reader parses what it has read again on every await, so on a loaded machine it can pause for a while
        RunnelServer server = serve(engine, Duration.ofSeconds(2));
        RawSseClient stalled = subscribe(server, "flood"); // never read from again
        RawSseClient reader = subscribe(server, "flood");
        await(() -> engine.hub().subscribers("flood") == 2, "both subscribed");
        int total = 300;
        String payload = "y".repeat(64 * 1024); // about 20 MB: far more than the stalled socket's buffers hold
        var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return reader.awaitEvents(total, WAIT).size();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        for (int i = 0; i < total; i++) {
            engine.hub().publish("flood", i + ":" + payload);
        }
        assertThat(reading.get()).isEqualTo(total);
        await(() -> !ends.isEmpty(), "the stalled stream ended");
        assertThat(ends).containsExactly(dev.runnel.EngineMetrics.EndReason.WRITE_TIMEOUT);
        assertThat(engine.hub().subscribers("flood")).isEqualTo(1);
        assertThat(stalled.readToEnd(WAIT).length()).isLessThan(total * payload.length());
    }

    @Test
    void concurrentPublishersKeepPerTopicOrder() throws Exception {
        // a queue that holds the whole burst: this test is about order, not about slow clients
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withQueueLimits(10_000, 64 << 20)).build();
        RunnelServer server = serve(engine);
        RawSseClient client = subscribe(server, "ordered");
        await(() -> engine.hub().subscribers("ordered") == 1, "subscribed");
        int threads = 4;
        int each = 500;
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            publishers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    engine.hub().publish("ordered", thread + ":" + i);
                }
            }));
        }
        for (Thread t : publishers) {
            t.join();
        }
        List<WireEvents.Event> events = client.awaitEvents(threads * each, WAIT);
        int[] next = new int[threads];
        long previous = -1;
        for (WireEvents.Event e : events) {
            String[] parts = e.data().split(":");
            int thread = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).isEqualTo(next[thread]++);
            long seq = Long.parseLong(e.id().substring(e.id().lastIndexOf('-') + 1));
            assertThat(seq).isGreaterThan(previous);
            previous = seq;
        }
        assertThat(next).containsOnly(each);
    }

    @Test
    void accessRulesRefuseWhatTheyShould() throws Exception {
        TopicAccess rules = new TopicAccess() {
            @Override
            public boolean maySubscribe(RequestContext request, String topic) {
                return !topic.startsWith("secret") || request.principal() != null;
            }

            @Override
            public boolean mayPublish(RequestContext request, String topic) {
                return request.principal() != null && request.principal().getName().equals("admin");
            }
        };
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withAccess(rules)).build();
        RunnelServer server = serve(engine);
        assertThat(subscribe(server, "secret").status()).isEqualTo(403);
        assertThat(subscribe(server, "public,secret").status()).isEqualTo(403);
        assertThat(subscribe(server, "secret", Map.of("X-User", "ada")).status()).isEqualTo(200);
        RequestContext anonymous = RequestContext.of("/publish");
        assertThatThrownBy(() -> engine.hub().publish(anonymous, "news", "x")).isInstanceOf(ForbiddenException.class)
                .hasMessageContaining("news");
        Principal admin = () -> "admin";
        assertThat(engine.hub().publish(anonymous.withPrincipal(admin), "news", "x").id()).isNotEmpty();
    }

    @Test
    void invalidTopicNamesAre400() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = serve(engine);
        for (String bad : new String[]{"a%20b", "a,", "caf%C3%A9", "x".repeat(129), "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F,G"}) {
            RawSseClient client = subscribe(server, bad);
            assertThat(client.status()).as(bad).isEqualTo(400);
            assertThat(client.readToEnd(WAIT)).as(bad).doesNotContain("Exception").endsWith("\n");
        }
        assertThatThrownBy(() -> engine.hub().publish("no spaces", "x")).hasMessageContaining("invalid topic name");
        assertThatThrownBy(() -> engine.hub().publish("ok", dev.runnel.SseEvent.of("x").withId("mine")))
                .hasMessageContaining("the hub assigns event ids");
    }

    @Test
    void disconnectingLeavesNoSubscriberBehind() throws Exception {
        SseEngine engine = SseEngine.builder().build();
        RunnelServer server = serve(engine);
        for (int i = 0; i < 1000; i++) {
            try (RawSseClient client = RawSseClient.get(URI.create(server.uri() + "/t/churn,other"))) {
                assertThat(client.status()).isEqualTo(200);
            }
        }
        await(() -> engine.openStreams() == 0, "every stream ended");
        assertThat(engine.hub().presence()).isEmpty();
        assertThat(engine.hub().subscribers("churn")).isZero();
    }

    @Test
    void closingAPrincipalsStreamsEndsOnlyTheirs() throws Exception {
        SseEngine engine = SseEngine.builder().closeEvent("done").build();
        RunnelServer server = serve(engine);
        RawSseClient ada = subscribe(server, "room", Map.of("X-User", "ada"));
        RawSseClient bob = subscribe(server, "room", Map.of("X-User", "bob"));
        await(() -> engine.hub().subscribers("room") == 2, "both subscribed");
        assertThat(engine.closeStreamsOf("ada")).isEqualTo(1);
        assertThat(ada.readToEnd(WAIT)).isEmpty(); // ended, without the close event
        engine.hub().publish("room", "still here");
        assertThat(bob.awaitEvents(1, WAIT).get(0).data()).isEqualTo("still here");
        assertThat(engine.hub().subscribers("room")).isEqualTo(1);
    }

}
