package dev.runnel.spring.boot;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring's configuration processor documents every runnel.* property for the IDE, with its default. */
class ConfigurationMetadataTest {

    @Test
    void everyPropertyIsDescribedWithItsDefault() throws Exception {
        String metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json in runnel-spring-boot's jar").isNotNull();
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        }
        for (String property : new String[] {"runnel.debug", "runnel.close-event", "runnel.retry", "runnel.shutdown-grace",
                "runnel.write-timeout", "runnel.watch-connections", "runnel.fragments", "runnel.hub.replay-count",
                "runnel.hub.replay-age", "runnel.hub.slow-clients", "runnel.hub.max-queued-events",
                "runnel.hub.max-queued-bytes", "runnel.hub.max-topics", "runnel.hub.redis-uri"}) {
            assertThat(metadata).as(property).contains("\"name\": \"" + property + "\"");
        }
        assertThat(metadata).contains("\"defaultValue\": 1000").contains("\"defaultValue\": \"5m\"")
                .contains("events kept per topic for a client that reconnects with Last-Event-ID")
                .doesNotContain("{@code").doesNotContain("{@link");
    }
}
