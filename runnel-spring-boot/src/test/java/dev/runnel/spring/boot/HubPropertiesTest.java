package dev.runnel.spring.boot;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.SlowClientPolicy;
import dev.runnel.hub.TopicAccess;
import dev.runnel.redis.RedisHubLog;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runnel.hub.*} and the other {@code runnel.*} settings: applied, and refused with a clear message when out of range. */
class HubPropertiesTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RunnelAutoConfiguration.class))
            .withPropertyValues("runnel.fragments=pebble");

    @Test
    void withoutSettingsTheHubHasItsDefaults() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            HubOptions options = context.getBean(SseEngine.class).hub().options();
            assertThat(options).isEqualTo(HubOptions.DEFAULTS);
            assertThat(context.getBean(Hub.class)).isSameAs(context.getBean(SseEngine.class).hub());
        });
    }

    @Test
    void settingsReachTheHub() {
        runner.withPropertyValues("runnel.hub.replay-count=7", "runnel.hub.replay-age=30s",
                "runnel.hub.slow-clients=coalesce-by-event-name", "runnel.hub.max-queued-events=64",
                "runnel.hub.max-queued-bytes=64KB", "runnel.hub.max-topics=5", "runnel.hub.max-replay-bytes=2MB",
                "runnel.hub.max-history=500", "runnel.hub.max-selectors=7", "runnel.hub.publisher-ids=true").run(context -> {
            HubOptions options = context.getBean(Hub.class).options();
            assertThat(options.replayCount()).isEqualTo(7);
            assertThat(options.replayAge()).isEqualTo(Duration.ofSeconds(30));
            assertThat(options.slowClients()).isEqualTo(SlowClientPolicy.COALESCE_BY_EVENT_NAME);
            assertThat(options.maxQueuedEvents()).isEqualTo(64);
            assertThat(options.maxQueuedBytes()).isEqualTo(64 * 1024);
            assertThat(options.maxTopics()).isEqualTo(5);
            assertThat(options.maxReplayBytes()).isEqualTo(2 * 1024 * 1024);
            assertThat(options.maxHistory()).isEqualTo(500);
            assertThat(options.maxSelectors()).isEqualTo(7);
            assertThat(options.publisherIds()).isTrue();
        });
    }

    @Test
    void theApplicationsTopicAccessBeanGuardsTheHub() {
        runner.withUserConfiguration(Access.class).run(context ->
                assertThat(context.getBean(Hub.class).options().access()).isSameAs(Access.RULE));
    }

    @Test
    void outOfRangeValuesStopTheApplicationNamingPropertyRangeAndValue() {
        assertRefused("runnel.hub.replay-count=-1", "runnel.hub.replay-count must be from 0 to 1000000, got -1");
        assertRefused("runnel.hub.replay-count=2000000", "runnel.hub.replay-count must be from 0 to 1000000, got 2000000");
        assertRefused("runnel.hub.replay-age=-1s", "runnel.hub.replay-age must be 0 or more, got PT-1S");
        assertRefused("runnel.hub.max-queued-events=0", "runnel.hub.max-queued-events must be 1 or more, got 0");
        assertRefused("runnel.hub.max-queued-bytes=100B", "runnel.hub.max-queued-bytes must be 1KB or more, got 100B");
        assertRefused("runnel.hub.max-topics=0", "runnel.hub.max-topics must be 1 or more, got 0");
        assertRefused("runnel.hub.max-replay-bytes=10B", "runnel.hub.max-replay-bytes must be 1KB or more, got 10B");
        assertRefused("runnel.hub.max-history=0", "runnel.hub.max-history must be from 1 to 10000000, got 0");
        assertRefused("runnel.hub.max-selectors=10001", "runnel.hub.max-selectors must be from 1 to 10000, got 10001");
        assertRefused("runnel.write-timeout=0s", "runnel.write-timeout must be more than 0, got PT0S");
        assertRefused("runnel.shutdown-grace=-5s", "runnel.shutdown-grace must be 0 or more, got PT-5S");
        assertRefused("runnel.retry=0ms", "runnel.retry must be more than 0, got PT0S");
        assertRefused("runnel.hub.redis-uri=http://127.0.0.1:6379", "runnel.hub.redis-uri must start with redis://, rediss:// or redis-sentinel://, got http://");
    }

    @Test
    void anUnknownSlowClientPolicyIsRefusedNamingTheProperty() {
        runner.withPropertyValues("runnel.hub.slow-clients=drop").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("runnel.hub.slow-clients")
                    .hasStackTraceContaining("drop");
        });
    }

    @Test
    void aRedisUriWithoutRunnelRedisSaysWhichDependencyToAdd() {
        runner.withClassLoader(new FilteredClassLoader(RedisHubLog.class))
                .withPropertyValues("runnel.hub.redis-uri=redis://:secret@127.0.0.1:1").run(context -> {
                    assertThat(context.getStartupFailure()).rootCause()
                            .hasMessage("runnel.hub.redis-uri is set, but runnel-redis is not on the class path: add the dependency "
                                    + "dev.runnel:runnel-redis, or remove runnel.hub.redis-uri to keep the hub in memory")
                            .hasMessageNotContaining("secret");
                });
    }

    @Test
    void aRedisThatCannotBeReachedAtStartupStopsTheApplicationWithRunnelRedisMessage() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        runner.withPropertyValues("runnel.hub.redis-uri=redis://127.0.0.1:" + closedPort).run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("cannot reach Redis at 127.0.0.1:" + closedPort));
    }

    @Test
    void aCloseEventThatIsNoEventNameStopsTheApplicationNamingThePropertyBeforeRedisIsTried() {
        // nothing listens on port 1: had the Redis client been made first, the failure would be about Redis
        runner.withPropertyValues("runnel.close-event=done\nevil", "runnel.hub.redis-uri=redis://127.0.0.1:1").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageStartingWith("runnel.close-event is not a valid event name: ");
        });
    }

    private void assertRefused(String setting, String message) {
        runner.withPropertyValues(setting).run(context -> {
            assertThat(context).as(setting).hasFailed();
            assertThat(context.getStartupFailure()).as(setting).rootCause().hasMessage(message);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Access {
        static final TopicAccess RULE = new TopicAccess() {
        };

        @Bean
        TopicAccess topicAccess() {
            return RULE;
        }
    }
}
