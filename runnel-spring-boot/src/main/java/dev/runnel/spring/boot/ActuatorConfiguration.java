package dev.runnel.spring.boot;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubLog;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Runnel in Actuator, when it is on the class path: health {@code runnel} (the hub can publish and
 * deliver: always in memory, Redis reachable on Redis; out of service while the engine stops), which
 * also feeds the readiness group (see {@link RunnelEnvironment}); and info {@code runnel} (version,
 * hub mode, open streams). Runnel's meters reach {@code /actuator/prometheus} through the
 * application's {@code MeterRegistry} (see {@link RunnelAutoConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
class ActuatorConfiguration {

    /** How the hub runs: {@code memory}, {@code redis}, or {@code log} for an application's own {@link HubLog}. */
    static String hubMode(RunnelProperties properties, ObjectProvider<HubLog> hubLog) {
        if (properties.hub().redisUri() != null) {
            return "redis";
        }
        return hubLog.getIfAvailable() == null ? "memory" : "log";
    }

    /** This module's version, from the build. */
    static String version() {
        try (InputStream in = ActuatorConfiguration.class.getResourceAsStream("runnel-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "runnelHealthIndicator")
        org.springframework.boot.health.contributor.HealthIndicator runnelHealthIndicator(
                SseEngine engine, RunnelProperties properties, ObjectProvider<HubLog> hubLog) {
            String mode = hubMode(properties, hubLog);
            return () -> {
                var health = engine.isStopping() ? org.springframework.boot.health.contributor.Health.outOfService()
                        : engine.hub().isReady() ? org.springframework.boot.health.contributor.Health.up()
                        : org.springframework.boot.health.contributor.Health.down();
                return health.withDetail("hub", mode)
                        .withDetail("openStreams", engine.openStreams())
                        .build();
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
    static class Info {
        @Bean
        @ConditionalOnMissingBean(name = "runnelInfoContributor")
        org.springframework.boot.actuate.info.InfoContributor runnelInfoContributor(
                SseEngine engine, RunnelProperties properties, ObjectProvider<HubLog> hubLog) {
            String mode = hubMode(properties, hubLog);
            String version = version();
            return builder -> builder.withDetail("runnel", java.util.Map.of(
                    "version", version,
                    "hub", mode,
                    "openStreams", engine.openStreams(),
                    "topics", engine.hub().presence().size()));
        }
    }
}
