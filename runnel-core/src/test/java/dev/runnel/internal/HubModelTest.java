package dev.runnel.internal;

import dev.runnel.BadRequestException;
import dev.runnel.EngineMetrics;
import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.RequestContext;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Published;
import dev.runnel.hub.Resumed;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.hub.TopicAccess;
import dev.runnel.hub.TopicSelector;
import dev.runnel.hub.Update;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hub's model for selector subscriptions (what a Mercure hub needs), in memory: updates on several
 * topics, exact / {@code *} / matcher selectors, private updates, publishers' ids and where a
 * subscription resumes, known before its response starts.
 */
class HubModelTest {

    private static final RequestContext REQUEST = RequestContext.of("/sub");

    private final TopicHub hub = hub(HubOptions.DEFAULTS.withPublisherIds(true));

    private static TopicHub hub(HubOptions options) {
        return new TopicHub(new ValueFormatter(null, null), null, options, EngineMetrics.NOOP, null, 0);
    }

    /** A subscription made through the hub's API and opened on a queue, as the lifecycle would. */
    private record Open(EventStream.Subscribed stream, ValueChannel channel, Subscriber subscriber) {

        static Open of(TopicHub hub, SubscribeRequest wanted) {
            EventStream.Subscribed stream = hub.subscribe(REQUEST, wanted);
            ValueChannel channel = stream.subscription().newChannel();
            Subscriber sub = stream.subscription().subscriber(channel, () -> { });
            stream.subscription().attach(sub);
            return new Open(stream, channel, sub);
        }

        /** What was queued, as {@code id data}. */
        List<String> drain() throws InterruptedException {
            return Queued.drain(channel);
        }

        Resumed resumed() {
            return stream.resumed();
        }
    }

    private static SubscribeRequest.Builder select(TopicSelector... selectors) {
        SubscribeRequest.Builder b = SubscribeRequest.builder().resetEvents(false);
        for (TopicSelector s : selectors) {
            b.select(s);
        }
        return b;
    }

    private static TopicSelector prefix(String prefix) {
        return TopicSelector.matching(prefix + "*", t -> t.startsWith(prefix));
    }

    @Nested
    class Topics {

        @Test
        void anUpdateOnSeveralTopicsReachesASubscriptionOfAnyOfThemOnce() throws Exception {
            Open canonical = Open.of(hub, select(TopicSelector.exact("https://ex.com/books/1")).build());
            Open alternate = Open.of(hub, select(TopicSelector.exact("https://ex.com/users/7/books")).build());
            Open both = Open.of(hub, select(TopicSelector.exact("https://ex.com/books/1"),
                    TopicSelector.exact("https://ex.com/users/7/books"), prefix("https://ex.com/")).build());

            Published p = hub.publish(Update.of(List.of("https://ex.com/books/1", "https://ex.com/users/7/books"), "v1").withId("b1"));

            assertThat(p).isEqualTo(new Published("b1", 3));
            assertThat(canonical.drain()).containsExactly("b1 v1");
            assertThat(alternate.drain()).containsExactly("b1 v1");
            assertThat(both.drain()).as("once, whatever matched").containsExactly("b1 v1");
        }

        @Test
        void anyTopicSelectorReceivesEveryPublicUpdate() throws Exception {
            Open all = Open.of(hub, select(TopicSelector.ANY).build());

            hub.publish(Update.of("a", "1"));
            hub.publish(Update.of("https://ex.com/ü/ 中文", "2"));

            assertThat(all.drain()).extracting(s -> s.substring(s.indexOf(' ') + 1)).containsExactly("1", "2");
        }

        @Test
        void topicsMayBeAnyTextWithoutControlCharactersUpTo2KiBFromPublishersAnd8KiBFromTheServer() {
            String wide = "https://ex.com/" + "ü".repeat(2048 - 15);
            assertThat(hub.publish(REQUEST, Update.of(wide, "x")).subscribers()).isZero();
            assertThatThrownBy(() -> hub.publish(REQUEST, Update.of(wide + "x", "x")))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("2048");
            assertThat(hub.publish(Update.of("s".repeat(8192), "x")).id()).isNotNull();
            assertThatThrownBy(() -> hub.publish(Update.of("s".repeat(8193), "x"))).isInstanceOf(IllegalArgumentException.class);
            for (String bad : List.of("", "a\nb", "a\rb", "nul\0", "del\u007f", "c1\u0085", "lone\uD800", "\uDC00x")) {
                assertThatThrownBy(() -> hub.publish(REQUEST, Update.of(bad, "x")))
                        .as("topic %s", bad.replaceAll("\\p{Cntrl}", "?")).isInstanceOf(BadRequestException.class);
            }
            assertThat(hub.publish(Update.of("emoji \uD83D\uDE00", "x")).id()).isNotNull();
        }

        @Test
        void aSubscriptionToMoreNewTopicsThanTheTopicBoundLeavesRoomForIsRefusedNotLeftInADroppedTopic() throws Exception {
            TopicHub bounded = hub(HubOptions.DEFAULTS.withMaxTopics(2));
            Open keep = Open.of(bounded, select(TopicSelector.exact("keep")).build());

            // keep, a and b are three topics: making b must not sweep a, made a moment before for the same subscription
            assertThatThrownBy(() -> Open.of(bounded, select(TopicSelector.exact("a"), TopicSelector.exact("b")).build()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTopics");

            assertThat(bounded.topicCount()).isEqualTo(1);
            keep.stream().subscription().detach(keep.subscriber());
            Open ab = Open.of(bounded, select(TopicSelector.exact("a"), TopicSelector.exact("b")).build());
            bounded.publish(Update.of("a", "1"));
            assertThat(ab.drain()).extracting(e -> e.substring(e.indexOf(' ') + 1)).containsExactly("1");
        }

        @Test
        void anUpdateOnMoreNewTopicsThanTheTopicBoundLeavesRoomForIsRefusedNotBufferedOutOfReach() {
            TopicHub bounded = hub(HubOptions.DEFAULTS.withMaxTopics(2).withPublisherIds(true));
            Open keep = Open.of(bounded, select(TopicSelector.exact("keep")).build());

            // keep, a and b are three topics: making b must not sweep a, made a moment before for the same update
            assertThatThrownBy(() -> bounded.publish(Update.of(List.of("a", "b"), "1").withId("ab")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTopics");

            assertThat(bounded.topicCount()).isEqualTo(1);
            assertThat(bounded.replayBytes()).as("no event in a buffer the hub no longer holds").isZero();
            keep.stream().subscription().detach(keep.subscriber());
        }

        @Test
        void theTopicNameMethodsKeepTheirStricterRule() {
            assertThatThrownBy(() -> hub.publish("https://ex.com/a", "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid topic name");
        }
    }

    @Nested
    class Selectors {

        @Test
        void aMatcherIsAskedOncePerTopicHoweverManySubscriptionsShareItsKey() throws Exception {
            AtomicInteger asked = new AtomicInteger();
            List<Open> subs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                subs.add(Open.of(hub, select(TopicSelector.matching("books/{id}", t -> {
                    asked.incrementAndGet();
                    return t.startsWith("books/");
                })).build()));
            }

            hub.publish(Update.of("books/1", "a"));
            hub.publish(Update.of("books/1", "b"));
            hub.publish(Update.of("films/1", "c"));

            assertThat(asked).as("once per distinct topic").hasValue(2);
            for (Open o : subs) {
                assertThat(o.drain()).hasSize(2);
            }
        }

        @Test
        void aMatcherThatThrowsMatchesNothingAndHarmsNobodyElse() throws Exception {
            Open broken = Open.of(hub, select(TopicSelector.matching("broken", t -> {
                throw new IllegalStateException("matcher bug");
            })).build());
            Open fine = Open.of(hub, select(prefix("t")).build());

            Published p = hub.publish(Update.of("t1", "x"));

            assertThat(p.subscribers()).isEqualTo(1);
            assertThat(broken.drain()).isEmpty();
            assertThat(fine.drain()).hasSize(1);
        }

        @Test
        void theSelectorCacheStaysBounded() {
            SelectorCache cache = new SelectorCache(100);
            TopicSelector s = prefix("a");
            for (int i = 0; i < 10_000; i++) {
                cache.matches(s, "a" + i);
            }
            assertThat(cache.size()).isLessThanOrEqualTo(100);
        }

        @Test
        void moreThanTheMostSelectorsIsABadRequestAndNoneIsOne() {
            TopicHub small = hub(HubOptions.DEFAULTS.withMaxSelectors(3));
            SubscribeRequest.Builder many = select();
            for (int i = 0; i < 4; i++) {
                many.select(TopicSelector.exact("t" + i));
            }
            assertThatThrownBy(() -> small.subscribe(REQUEST, many.build())).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("at most 3");
            assertThatThrownBy(() -> small.subscribe(REQUEST, select().build())).isInstanceOf(BadRequestException.class);
            assertThat(HubOptions.DEFAULTS.maxSelectors()).isEqualTo(100);
        }

        @Test
        void aTopicAccessRuleWrittenForNamesRefusesPatternsUnlessItSaysOtherwise() {
            TopicAccess onlyNews = new TopicAccess() {
                @Override
                public boolean maySubscribe(RequestContext request, String topic) {
                    return topic.equals("news");
                }
            };
            TopicHub guarded = hub(HubOptions.DEFAULTS.withAccess(onlyNews));

            assertThat(Open.of(guarded, select(TopicSelector.exact("news")).build()).resumed()).isEqualTo(Resumed.NONE);
            assertThatThrownBy(() -> guarded.subscribe(REQUEST, select(TopicSelector.exact("secret")).build()))
                    .isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> guarded.subscribe(REQUEST, select(TopicSelector.ANY).build()))
                    .isInstanceOf(ForbiddenException.class);
        }
    }

    @Nested
    class PrivateUpdates {

        @Test
        void aPrivateUpdateReachesOnlySubscriptionsAuthorizedForOneOfItsTopics() throws Exception {
            Open anonymous = Open.of(hub, select(TopicSelector.ANY).build());
            Open forBooks = Open.of(hub, select(TopicSelector.ANY).privateSelectors(List.of(prefix("books/"))).build());
            Open forAlternate = Open.of(hub, select(TopicSelector.exact("books/1"))
                    .privateSelectors(List.of(TopicSelector.exact("users/7"))).build());

            hub.publish(Update.of(List.of("books/1", "users/7"), "secret").asPrivate().withId("p1"));
            hub.publish(Update.of("films/1", "secret too").asPrivate().withId("p2"));

            assertThat(anonymous.drain()).isEmpty();
            assertThat(forBooks.drain()).containsExactly("p1 secret");
            assertThat(forAlternate.drain()).as("authorized by an alternate topic").containsExactly("p1 secret");
        }

        @Test
        void aPrivateUpdateIsNeverReplayedToASubscriptionThatIsNotAuthorized() throws Exception {
            hub.publish(Update.of("t", "public 1").withId("a"));
            hub.publish(Update.of("t", "private").asPrivate().withId("b"));
            hub.publish(Update.of("t", "public 2").withId("c"));

            Open plain = Open.of(hub, select(TopicSelector.exact("t")).fromEarliest().build());
            Open allowed = Open.of(hub, select(TopicSelector.exact("t")).privateSelectors(List.of(TopicSelector.ANY)).fromEarliest().build());

            assertThat(plain.drain()).containsExactly("a public 1", "c public 2");
            assertThat(allowed.drain()).containsExactly("a public 1", "b private", "c public 2");
        }

        @Test
        void aResumeFromAPrivateIdTheSubscriptionCouldNotReceiveIsNotFound() throws Exception {
            hub.publish(Update.of("t", "private").asPrivate().withId("hidden"));
            hub.publish(Update.of("t", "after").withId("next"));

            Open probe = Open.of(hub, select(TopicSelector.exact("t")).resumeAfter("hidden").build());

            assertThat(probe.resumed()).isEqualTo(Resumed.NOT_FOUND);
            assertThat(probe.drain()).as("no history: the id is never confirmed").isEmpty();
        }
    }

    @Nested
    class PublisherIds {

        @Test
        void aResumeAfterAPublishersIdGetsWhatFollowsItAndSaysFound() throws Exception {
            hub.publish(Update.of("t", "1").withId("urn:uuid:a"));
            hub.publish(Update.of("u", "2").withId("urn:uuid:b"));
            hub.publish(Update.of("t", "3").withId("urn:uuid:c"));

            Open back = Open.of(hub, select(TopicSelector.exact("t"), TopicSelector.exact("u")).resumeAfter("urn:uuid:a").build());

            assertThat(back.resumed()).isEqualTo(Resumed.FOUND);
            assertThat(back.drain()).containsExactly("urn:uuid:b 2", "urn:uuid:c 3");
        }

        @Test
        void withDuplicateIdsTheResumeIsAfterTheNewest() throws Exception {
            hub.publish(Update.of("t", "1").withId("dup"));
            hub.publish(Update.of("t", "2").withId("x"));
            hub.publish(Update.of("t", "3").withId("dup"));
            hub.publish(Update.of("t", "4").withId("y"));

            Open back = Open.of(hub, select(TopicSelector.exact("t")).resumeAfter("dup").build());

            assertThat(back.drain()).containsExactly("y 4");
        }

        @Test
        void aResumeThatFindsEveryEventExpiredLeavesNoEmptyTopicBehind() throws Exception {
            TopicHub aging = hub(HubOptions.DEFAULTS.withPublisherIds(true).withReplay(100, java.time.Duration.ofMillis(20)));
            aging.publish(Update.of("a", "1").withId("x"));
            aging.publish(Update.of("b", "2"));
            Thread.sleep(60); // both older than the replay age

            Open back = Open.of(aging, select(TopicSelector.ANY).resumeAfter("x").build());
            back.stream().subscription().detach(back.subscriber());
            aging.trimExpired();

            assertThat(aging.topicCount()).as("nothing keeps a or b").isZero();
        }

        @Test
        void anUnknownIdIsNotFoundWithNoHistoryThenLiveUpdates() throws Exception {
            hub.publish(Update.of("t", "old").withId("a"));
            Open back = Open.of(hub, select(TopicSelector.exact("t")).resumeAfter("never-seen").build());

            hub.publish(Update.of("t", "live").withId("b"));

            assertThat(back.resumed()).isEqualTo(Resumed.NOT_FOUND);
            assertThat(back.drain()).containsExactly("b live");
        }

        @Test
        void anUnknownIdGetsTheResetEventWhenTheSubscriptionWantsIt() throws Exception {
            Open back = Open.of(hub, SubscribeRequest.builder().select(TopicSelector.exact("t")).resumeAfter("never-seen").build());

            assertThat(back.drain()).singleElement().asString().contains("\"reason\":\"unknown\"");
        }

        @Test
        void earliestSendsEverythingStillHeldForTheSelectors() throws Exception {
            hub.publish(Update.of("a/1", "1"));
            hub.publish(Update.of("b/1", "2"));
            hub.publish(Update.of("a/2", "3"));

            Open all = Open.of(hub, select(prefix("a/")).fromEarliest().build());

            assertThat(all.resumed()).isEqualTo(Resumed.EARLIEST);
            assertThat(all.drain()).extracting(s -> s.substring(s.indexOf(' ') + 1)).containsExactly("1", "3");
        }

        @Test
        void anIdNoLongerHeldIsNotFoundAndLeavesTheIndex() throws Exception {
            TopicHub small = hub(HubOptions.DEFAULTS.withPublisherIds(true).withMaxHistory(2));
            small.publish(Update.of("t", "1").withId("first"));
            small.publish(Update.of("u", "2").withId("second"));
            small.publish(Update.of("t", "3").withId("third"));

            Open back = Open.of(small, select(TopicSelector.exact("t")).resumeAfter("first").build());

            assertThat(back.resumed()).isEqualTo(Resumed.NOT_FOUND);
            assertThat(small.replayBytes()).isPositive();
        }

        @Test
        void aResumeIsNotFoundWhenAnEventAfterTheIdWasTrimmedFromASelectedTopic() throws Exception {
            TopicHub counted = hub(HubOptions.DEFAULTS.withPublisherIds(true).withReplay(1, java.time.Duration.ofMinutes(5)));
            counted.publish(Update.of("a", "1").withId("x"));
            counted.publish(Update.of("b", "2").withId("y"));
            counted.publish(Update.of("b", "3").withId("z")); // "y" leaves b's buffer

            Open back = Open.of(counted, select(TopicSelector.exact("a"), TopicSelector.exact("b")).resumeAfter("x").build());

            assertThat(back.resumed()).as("a gap is never left unsaid").isEqualTo(Resumed.NOT_FOUND);
        }

        @Test
        void idsArePublishersOnlyWhereTheHubAllowsThemAndMustBeValid() {
            TopicHub strict = hub(HubOptions.DEFAULTS);
            assertThatThrownBy(() -> strict.publish(Update.of("t", "x").withId("mine"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("publisherIds");
            for (String bad : List.of("", "a\nb", "a\rb", "a\0b", "i".repeat(1025))) {
                assertThatThrownBy(() -> hub.publish(REQUEST, Update.of("t", "x").withId(bad))).isInstanceOf(BadRequestException.class);
            }
        }

        @Test
        void eventsDroppedAfterAFoundAnswerNeverLeaveASilentGapWithoutResetEvents() throws Exception {
            TopicHub counted = hub(HubOptions.DEFAULTS.withPublisherIds(true).withReplay(1, java.time.Duration.ofMinutes(5)));
            counted.publish(Update.of("t", "1").withId("x"));
            EventStream.Subscribed stream = counted.subscribe(REQUEST, select(TopicSelector.exact("t")).resumeAfter("x").build());
            assertThat(stream.resumed()).as("what the protocol's header says").isEqualTo(Resumed.FOUND);
            counted.publish(Update.of("t", "2").withId("y"));
            counted.publish(Update.of("t", "3").withId("z")); // "y" leaves t's buffer before the subscription opens

            ValueChannel channel = stream.subscription().newChannel();
            AtomicInteger cutOffs = new AtomicInteger();
            Subscriber sub = stream.subscription().subscriber(channel, cutOffs::incrementAndGet);
            stream.subscription().attach(sub);
            counted.publish(Update.of("t", "4").withId("w"));

            List<Object> queued = new ArrayList<>();
            channel.poll(queued, Integer.MAX_VALUE, 0);
            assertThat(queued).as("z without y would be a gap nobody is told of").isEmpty();
            assertThat(cutOffs).as("ended, so the client comes back and learns its id is not found").hasValue(1);
            assertThat(counted.subscribers("t")).isZero();
        }

        @Test
        void idsWithAnUnpairedSurrogateAreRefusedSinceNoWireCanCarryThem() {
            // UTF-8 turns a lone surrogate into '?': the id a subscriber sends back is not the one published
            for (String bad : List.of("a\uD800", "\uDC00b", "x\uDBFF\uD800y")) {
                assertThatThrownBy(() -> hub.publish(REQUEST, Update.of("t", "x").withId(bad))).isInstanceOf(BadRequestException.class);
            }
            assertThat(hub.publish(REQUEST, Update.of("t", "x").withId("ok-\uD83D\uDE00-é")).id()).isEqualTo("ok-\uD83D\uDE00-é");
        }

        @Test
        void theHubsOwnIdsStillResumeOnAHubThatAllowsPublishersIds() throws Exception {
            String id = hub.publish(Update.of("t", "1")).id();
            hub.publish(Update.of("t", "2").withId("mine"));

            Open back = Open.of(hub, select(TopicSelector.exact("t")).resumeAfter(id).build());

            assertThat(back.resumed()).isEqualTo(Resumed.FOUND);
            assertThat(back.drain()).containsExactly("mine 2");
        }
    }
}
