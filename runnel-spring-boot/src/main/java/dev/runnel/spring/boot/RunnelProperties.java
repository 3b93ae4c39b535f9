package dev.runnel.spring.boot;

import dev.runnel.hub.SlowClientPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the auto-configured engine, under {@code runnel.*} in {@code application.properties}.
 * Every one has a default. A value out of range stops the application at startup with a message that
 * names the property, the range and the value.
 *
 * @param debug debug mode: render errors show inline, producer errors carry the stack trace (default off)
 * @param closeEvent name of the event (with data "complete") that ends a finished stream; none by default
 * @param retry when set, every stream starts with a retry meta event telling the browser how long to wait before reconnecting
 * @param shutdownGrace how long the application waits, when it stops, for producers to end (default 5 s)
 * @param writeTimeout how long one write may wait on a client that does not read (default 30 s)
 * @param watchConnections notice at once that a client left, on Tomcat and Jetty, by watching its
 *     socket (default on); when off, a client that left is noticed by the next write that fails
 * @param startWait how long a stream waits, before its first write, for the request's filters to
 *     return (default 10 s); a stream whose filters take longer is refused with a 500 and its end logged
 * @param fragments which template engine renders fragments when both runnel-thymeleaf and
 *     runnel-pebble are on the class path and the application defines no FragmentRenderer bean
 * @param hub the hub's replay, queue and cluster settings
 */
@ConfigurationProperties("runnel")
public record RunnelProperties(
        @DefaultValue("false") boolean debug,
        String closeEvent,
        Duration retry,
        @DefaultValue("5s") Duration shutdownGrace,
        @DefaultValue("30s") Duration writeTimeout,
        @DefaultValue("true") boolean watchConnections,
        @DefaultValue("10s") Duration startWait,
        FragmentEngine fragments,
        @DefaultValue @NestedConfigurationProperty Hub hub) {

    public RunnelProperties {
        if (retry != null && (retry.isNegative() || retry.isZero())) {
            throw new IllegalArgumentException("runnel.retry must be more than 0, got " + retry);
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("runnel.shutdown-grace must be 0 or more, got " + shutdownGrace);
        }
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("runnel.write-timeout must be more than 0, got " + writeTimeout);
        }
        if (startWait.isNegative() || startWait.isZero()) {
            throw new IllegalArgumentException("runnel.start-wait must be more than 0, got " + startWait);
        }
        if (closeEvent != null) {
            try {
                dev.runnel.SseEvent.of(closeEvent, "");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("runnel.close-event is not a valid event name: " + e.getMessage());
            }
        }
        Objects.requireNonNull(hub, "hub");
    }

    /** The template engines Runnel renders fragments with. */
    public enum FragmentEngine {
        /** {@code runnel-thymeleaf}, on the application's Thymeleaf engine. */
        THYMELEAF,
        /** {@code runnel-pebble}, templates from {@code templates/<name>.peb}. */
        PEBBLE
    }

    /**
     * Settings of the hub, under {@code runnel.hub.*}.
     *
     * @param replayCount events kept per topic for a client that reconnects with Last-Event-ID (0 to 1000000, default 1000)
     * @param replayAge how long an event stays replayable (default 5 minutes)
     * @param slowClients what to do with a subscriber whose queue is full: disconnect (it reconnects and
     *     replays) or coalesce-by-event-name (latest value of each event name wins)
     * @param maxQueuedEvents events one subscriber may have waiting to be written (1 or more, default 512)
     * @param maxQueuedBytes bytes one subscriber may have waiting to be written (1KB or more, default 256KB)
     * @param maxTopics most topics the hub keeps at once (1 or more, default 10000)
     * @param maxReplayBytes bytes the replay buffers of all topics hold together (1KB or more, default 64MB)
     * @param maxHistory events the whole hub keeps for replay, and on Redis how many the log keeps (1 to 10000000, default 100000)
     * @param maxSelectors most topic selectors one subscription may name (1 to 10000, default 100)
     * @param publisherIds whether a published update may carry its publisher's id (default false)
     * @param redisUri when set, the hub runs on Redis (runnel-redis must be on the class path), so that
     *     several instances share topics and a client resumes on any of them; for example redis://127.0.0.1:6379
     */
    public record Hub(
            @DefaultValue("1000") int replayCount,
            @DefaultValue("5m") Duration replayAge,
            @DefaultValue("disconnect") SlowClientPolicy slowClients,
            @DefaultValue("512") int maxQueuedEvents,
            @DefaultValue("256KB") DataSize maxQueuedBytes,
            @DefaultValue("10000") int maxTopics,
            @DefaultValue("64MB") DataSize maxReplayBytes,
            @DefaultValue("100000") int maxHistory,
            @DefaultValue("100") int maxSelectors,
            @DefaultValue("false") boolean publisherIds,
            URI redisUri) {

        public Hub {
            if (replayCount < 0 || replayCount > 1_000_000) {
                throw new IllegalArgumentException("runnel.hub.replay-count must be from 0 to 1000000, got " + replayCount);
            }
            if (replayAge.isNegative()) {
                throw new IllegalArgumentException("runnel.hub.replay-age must be 0 or more, got " + replayAge);
            }
            if (maxQueuedEvents < 1) {
                throw new IllegalArgumentException("runnel.hub.max-queued-events must be 1 or more, got " + maxQueuedEvents);
            }
            if (maxQueuedBytes.toBytes() < 1024) {
                throw new IllegalArgumentException("runnel.hub.max-queued-bytes must be 1KB or more, got " + maxQueuedBytes);
            }
            if (maxTopics < 1) {
                throw new IllegalArgumentException("runnel.hub.max-topics must be 1 or more, got " + maxTopics);
            }
            if (maxReplayBytes.toBytes() < 1024) {
                throw new IllegalArgumentException("runnel.hub.max-replay-bytes must be 1KB or more, got " + maxReplayBytes);
            }
            if (maxHistory < 1 || maxHistory > 10_000_000) {
                throw new IllegalArgumentException("runnel.hub.max-history must be from 1 to 10000000, got " + maxHistory);
            }
            if (maxSelectors < 1 || maxSelectors > 10_000) {
                throw new IllegalArgumentException("runnel.hub.max-selectors must be from 1 to 10000, got " + maxSelectors);
            }
            if (redisUri != null && !java.util.Set.of("redis", "rediss", "redis-sentinel").contains(redisUri.getScheme())) {
                throw new IllegalArgumentException("runnel.hub.redis-uri must start with redis://, rediss:// or redis-sentinel://, got "
                        + (redisUri.getScheme() == null ? "no scheme" : redisUri.getScheme() + "://"));
            }
        }
    }
}
