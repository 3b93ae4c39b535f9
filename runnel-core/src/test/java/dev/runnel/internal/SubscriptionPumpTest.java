package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.hub.HubOptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ending a hub subscription's pump: its writer is released whatever the hub does. */
class SubscriptionPumpTest {

    @Test
    void cancelEndsTheWriterEvenWhenDetachThrows() throws Exception {
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, EngineMetrics.NOOP);
        Subscription subscription = new Subscription(hub, Selection.of(List.of("t")), null, ResumePoint.NONE, true);
        ValueChannel channel = subscription.newChannel();
        Pump pump = new Pump.SubscriptionPump(channel, subscription, () -> { });
        pump.start();

        // detach throws once: the topic's subscriber set fails on removal
        Field storeField = TopicHub.class.getDeclaredField("store");
        storeField.setAccessible(true);
        TopicStore.Topic topic = ((TopicStore) storeField.get(hub)).topic("t");
        Field subscribersField = TopicStore.Topic.class.getDeclaredField("subscribers");
        subscribersField.setAccessible(true);
        AtomicBoolean failed = new AtomicBoolean();
        Set<Subscriber> failingOnce = new LinkedHashSet<>(topic.subscribers) {
            @Override
            public boolean remove(Object o) {
                if (failed.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("removing a subscriber");
                }
                return super.remove(o);
            }
        };
        subscribersField.set(topic, failingOnce);

        assertThatThrownBy(pump::cancel).isInstanceOf(OutOfMemoryError.class);

        assertThat(channel.isCancelled()).as("the writer's queue is cancelled, so the writer wakes and ends").isTrue();
        List<Object> out = new ArrayList<>();
        assertThat(channel.poll(out, 1, 1_000_000_000L)).isEqualTo(ValueChannel.Signal.CANCELLED);
        pump.cancel();
        assertThat(hub.subscribers("t")).as("a second cancel detaches").isZero();
    }
}
