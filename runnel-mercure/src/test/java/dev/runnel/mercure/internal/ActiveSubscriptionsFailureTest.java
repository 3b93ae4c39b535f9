package dev.runnel.mercure.internal;

import dev.runnel.hub.Hub;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;
import dev.runnel.hub.Update;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When announcing a subscription fails, nothing stays listed; when announcing an end fails, every subscription still leaves. */
class ActiveSubscriptionsFailureTest {

    /** A hub whose publish fails from the {@code failFrom}-th call on (1-based), and records what it published. */
    private static Hub hub(int failFrom, List<Update> published) {
        AtomicInteger calls = new AtomicInteger();
        return (Hub) Proxy.newProxyInstance(Hub.class.getClassLoader(), new Class<?>[]{Hub.class}, (proxy, method, args) -> {
            if (method.getName().equals("publish") && args.length == 1 && args[0] instanceof Update update) {
                if (calls.incrementAndGet() >= failFrom) {
                    throw new HubUnavailableException("log down");
                }
                published.add(update);
                return new Published(update.id(), 0);
            }
            if (method.isDefault()) { // the in-memory roster, among others
                return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    @Test
    void aFailedAnnouncementLeavesNoSubscriptionListedAndIsThrown() {
        List<Update> published = new ArrayList<>();
        ActiveSubscriptions subscriptions = new ActiveSubscriptions(hub(2, published), id -> { });

        assertThatThrownBy(() -> subscriptions.started(List.of("a", "b"), "urn:uuid:1", null)).isInstanceOf(HubUnavailableException.class);
        assertThat(subscriptions.list(null)).isEmpty();
        assertThat(published).hasSize(1);
    }

    @Test
    void aFailedEndAnnouncementStillUnlistsEverySubscription() {
        List<Update> published = new ArrayList<>();
        ActiveSubscriptions subscriptions = new ActiveSubscriptions(hub(3, published), id -> { });
        var started = subscriptions.started(List.of("a", "b"), "urn:uuid:1", "{\"x\":1}");

        subscriptions.ended(started);

        assertThat(subscriptions.list(null)).isEmpty();
        assertThat(published).hasSize(2).allSatisfy(u -> assertThat(u.isPrivate()).isTrue());
    }

    /** A hub whose publish throws {@code failure} on the {@code failOn}-th call only (1-based), and records what it published. */
    private static Hub hubFailingOnce(int failOn, Throwable failure, List<Update> published) {
        AtomicInteger calls = new AtomicInteger();
        return (Hub) Proxy.newProxyInstance(Hub.class.getClassLoader(), new Class<?>[]{Hub.class}, (proxy, method, args) -> {
            if (method.getName().equals("publish") && args.length == 1 && args[0] instanceof Update update) {
                if (calls.incrementAndGet() == failOn) {
                    throw failure;
                }
                published.add(update);
                return new Published(update.id(), 0);
            }
            if (method.isDefault()) { // the in-memory roster, among others
                return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    private static String data(Update update) {
        return ((dev.runnel.SseEvent) update.value()).data();
    }

    @Test
    void aSubscriptionAnnouncedActiveBeforeAFailedAnnouncementIsAnnouncedInactive() {
        // "a" is announced active, "b" fails: the connection is refused, so watchers must learn "a" ended
        List<Update> published = new ArrayList<>();
        ActiveSubscriptions subscriptions = new ActiveSubscriptions(hubFailingOnce(2, new HubUnavailableException("blip"), published), id -> { });

        assertThatThrownBy(() -> subscriptions.started(List.of("a", "b"), "urn:uuid:1", null)).isInstanceOf(HubUnavailableException.class);

        assertThat(subscriptions.list(null)).isEmpty();
        assertThat(published).extracting(ActiveSubscriptionsFailureTest::data)
                .hasSize(2)
                .satisfiesExactly(
                        first -> assertThat(first).contains("\"active\":true").contains("\"topic\":\"a\""),
                        second -> assertThat(second).contains("\"active\":false").contains("\"topic\":\"a\""));
    }

    @Test
    void anEndAnnouncementThatThrowsAnErrorStillUnlistsAndAnnouncesTheOthers() {
        List<Update> published = new ArrayList<>();
        ActiveSubscriptions subscriptions = new ActiveSubscriptions(hubFailingOnce(3, new AssertionError("a broken log"), published), id -> { });
        var started = subscriptions.started(List.of("a", "b"), "urn:uuid:1", null);

        try {
            subscriptions.ended(started);
        } catch (AssertionError e) {
            // whether it is rethrown or logged, what follows must hold
        }

        assertThat(subscriptions.list(null)).isEmpty();
        assertThat(published).extracting(ActiveSubscriptionsFailureTest::data)
                .hasSize(3)
                .last().satisfies(last -> assertThat(last).contains("\"active\":false").contains("\"topic\":\"b\""));
    }

    @Test
    void partsOfTheTopicArePercentEncodedAsRfc6570SimpleExpansion() {
        assertThat(ActiveSubscriptions.topicOf("https://example.com/{selector}", "urn:uuid:bb3de268"))
                .isEqualTo("/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2F%7Bselector%7D/urn%3Auuid%3Abb3de268");
        assertThat(ActiveSubscriptions.encode("a b~é/%")).isEqualTo("a%20b~%C3%A9%2F%25");
    }
}
