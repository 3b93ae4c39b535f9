package dev.runnel.internal;

import dev.runnel.hub.SlowClientPolicy;

import java.util.ArrayList;
import java.util.List;

/** Test access to the hub's package-private subscriber API from other test packages. */
public final class HubProbe {

    private HubProbe() {
    }

    /** Attaches a subscriber resuming after {@code lastEventId} and returns the first event it is given. */
    public static HubEvent replayOne(TopicHub hub, String lastEventId, String topic) throws InterruptedException {
        ValueChannel channel = hub.newChannel();
        Subscriber subscriber = new Subscriber(List.of(topic), channel, SlowClientPolicy.DISCONNECT, () -> { });
        hub.attach(subscriber, lastEventId);
        List<Object> out = new ArrayList<>();
        channel.poll(out, 1, 0);
        hub.detach(subscriber);
        return (HubEvent) out.get(0);
    }
}
