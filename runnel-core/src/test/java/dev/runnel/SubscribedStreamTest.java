package dev.runnel;

import dev.runnel.hub.Hub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A subscription stream is made by the hub, after its checks, and by nothing else. */
class SubscribedStreamTest {

    private static final String HANDLE = "dev.runnel.internal.Subscription";

    private final SseEngine engine = SseEngine.builder().build();

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void everyWayToBuildASubscribedStreamNeedsTheHandleTheHubMade() {
        Constructor<?>[] open = EventStream.Subscribed.class.getConstructors();

        assertThat(open).isNotEmpty().allSatisfy(c -> assertThat(Arrays.stream(c.getParameterTypes()).map(Class::getName))
                .as("public constructor %s", c).contains(HANDLE));
        assertThat(Modifier.isFinal(EventStream.Subscribed.class.getModifiers())).isTrue();
    }

    @Test
    void theHubsHandleCannotBeMadeOrExtendedOutsideRunnel() throws Exception {
        Class<?> handle = Class.forName(HANDLE);

        assertThat(Modifier.isFinal(handle.getModifiers())).isTrue();
        assertThat(handle.getDeclaredConstructors()).isNotEmpty().allSatisfy(c -> {
            assertThat(Modifier.isPublic(c.getModifiers())).as("%s is public", c).isFalse();
            assertThat(Modifier.isProtected(c.getModifiers())).as("%s is protected", c).isFalse();
        });
        assertThat(Arrays.stream(handle.getMethods()).filter(m -> m.getDeclaringClass() == handle).map(m -> m.getName()))
                .as("public methods of the handle").containsExactlyInAnyOrder("hub", "topics", "lastEventId", "resumed", "whenEnded");
    }

    @Test
    void aSubscriptionKeepsItsCheckedTopicsHubAndIdWhenItsOptionsChange() {
        Hub hub = engine.hub();
        RequestContext request = new RequestContext("GET", "/sse", null, null, Map.of("Last-Event-ID", List.of("x-1")), null, null, null, null);

        EventStream changed = hub.subscribe(request, "b", "a", "b").heartbeat(Duration.ofSeconds(7)).defaultEvent("tick");

        assertThat(changed).isInstanceOfSatisfying(EventStream.Subscribed.class, s -> {
            assertThat(s.hub()).isSameAs(hub);
            assertThat(s.topics()).containsExactly("b", "a");
            assertThat(s.lastEventId()).isEqualTo("x-1");
            assertThat(s.options().heartbeat()).isEqualTo(Duration.ofSeconds(7));
            assertThat(s.options().defaultEvent()).isEqualTo("tick");
        });
    }
}
