package dev.runnel.spring.boot;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.mercure.JwtAlgorithm;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.mercure.servlet.MercureServlet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runnel.mercure.*}: when the hub is configured, what reaches it, and what stops the application naming the property. */
class MercureAutoConfigurationTest {

    private static final String KEY = "runnel.mercure.publisher-jwt-key=spring-publisher-key-32-bytes-long!!!!!";

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RunnelAutoConfiguration.class, MercureAutoConfiguration.class))
            .withPropertyValues("runnel.fragments=pebble");

    @Test
    void withoutAPublisherKeyNoHubIsServedAndTheEngineKeepsItsDefaults() {
        runner.withPropertyValues("runnel.mercure.anonymous=true").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(MercureHub.class).doesNotHaveBean("runnelMercureServlet");
            assertThat(context.getBean(SseEngine.class).hub().options().publisherIds()).isFalse();
        });
    }

    @Test
    void withoutRunnelMercureOnTheClassPathNothingIsServedEvenWithAKey() {
        runner.withClassLoader(new FilteredClassLoader(MercureHub.class)).withPropertyValues(KEY).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean("runnelMercureHub").doesNotHaveBean("runnelMercureServlet");
            assertThat(context.getBean(SseEngine.class).hub().options().publisherIds()).isFalse();
        });
    }

    @Test
    void withAPublisherKeyTheHubIsServedAtItsWellKnownPathsAndTheEngineAllowsPublishersIds() {
        runner.withPropertyValues(KEY).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(MercureHub.class);
            assertThat(context.getBean(SseEngine.class).hub().options().publisherIds()).isTrue();
            ServletRegistrationBean<?> registration = context.getBean("runnelMercureServlet", ServletRegistrationBean.class);
            assertThat(registration.getServlet()).isInstanceOf(MercureServlet.class);
            assertThat(registration.getUrlMappings()).containsExactly("/.well-known/mercure", "/.well-known/mercure/*");
            MercureOptions options = context.getBean(MercureHub.class).options();
            assertThat(options.publisherJwt().algorithm()).isEqualTo(JwtAlgorithm.HS256);
            assertThat(options.subscriberJwt()).as("the publishers' key when none is set").isSameAs(options.publisherJwt());
            assertThat(options.anonymous()).isFalse();
            assertThat(options.subscriptions()).isFalse();
            assertThat(options.cookieName()).isEqualTo("mercureAuthorization");
        });
    }

    @Test
    void everyPropertyReachesTheHub() {
        runner.withPropertyValues(KEY, "runnel.mercure.publisher-jwt-algorithm=hs512",
                "runnel.mercure.subscriber-jwt-key=spring-subscriber-key-64-bytes-long-spring-subscriber-key-64-byt",
                "runnel.mercure.subscriber-jwt-algorithm=HS384",
                "runnel.mercure.anonymous=true", "runnel.mercure.subscriptions=true", "runnel.mercure.cookie-name=hubAuth",
                "runnel.mercure.publish-origins=https://a.example,https://b.example:8443",
                "runnel.mercure.cors-origins=*", "runnel.mercure.publisher-cors-origins=https://admin.example").run(context -> {
            MercureOptions options = context.getBean(MercureHub.class).options();
            assertThat(options.publisherJwt().algorithm()).isEqualTo(JwtAlgorithm.HS512);
            assertThat(options.subscriberJwt().algorithm()).isEqualTo(JwtAlgorithm.HS384);
            assertThat(options.anonymous()).isTrue();
            assertThat(options.subscriptions()).isTrue();
            assertThat(options.cookieName()).isEqualTo("hubAuth");
            assertThat(options.publishOrigins()).containsExactly("https://a.example", "https://b.example:8443");
            assertThat(options.corsOrigins()).containsExactly("*");
            assertThat(options.publisherCorsOrigins()).containsExactly("https://admin.example");
        });
    }

    @Test
    void aBadValueStopsTheApplicationNamingTheProperty() {
        assertRefused("runnel.mercure.publisher-jwt-algorithm", "runnel.mercure.publisher-jwt-algorithm=none");
        assertRefused("runnel.mercure.subscriber-jwt-algorithm", "runnel.mercure.subscriber-jwt-algorithm=HS999");
        assertRefused("runnel.mercure.publisher-jwt-key", "runnel.mercure.publisher-jwt-algorithm=RS256");
        assertRefused("runnel.mercure.subscriber-jwt-key", "runnel.mercure.subscriber-jwt-algorithm=ES256");
        assertRefused("runnel.mercure.cors-origins", "runnel.mercure.cors-origins=not an origin");
        assertRefused("runnel.mercure.publish-origins", "runnel.mercure.publish-origins=https://ok.example,ftp:/bad");
        assertRefused("runnel.mercure.publisher-cors-origins", "runnel.mercure.publisher-cors-origins=/");
    }

    @Test
    void anEmptyPublisherKeyStopsTheApplicationNamingTheProperty() {
        runner.withPropertyValues("runnel.mercure.publisher-jwt-key=").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("runnel.mercure.publisher-jwt-key");
        });
    }

    @Test
    void anApplicationEngineWithoutPublishersIdsStopsTheApplicationSayingWhatToChange() {
        runner.withPropertyValues(KEY).withUserConfiguration(PlainEngine.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("runnel.mercure.publisher-jwt-key is set")
                    .hasMessageContaining("withPublisherIds(true)");
        });
    }

    @Test
    void anApplicationEngineThatAllowsPublishersIdsCarriesTheHub() {
        runner.withPropertyValues(KEY).withUserConfiguration(MercureEngine.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(MercureHub.class);
            assertThat(context.getBean(SseEngine.class)).isSameAs(MercureEngine.ENGINE);
        });
    }

    @Test
    void everyMercurePropertyIsDescribedForTheIde() throws Exception {
        String metadata;
        try (java.io.InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            metadata = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        }
        for (String property : List.of("publisher-jwt-key", "publisher-jwt-algorithm", "subscriber-jwt-key", "subscriber-jwt-algorithm",
                "anonymous", "subscriptions", "cookie-name", "publish-origins", "cors-origins", "publisher-cors-origins")) {
            assertThat(metadata).as(property).contains("\"name\": \"runnel.mercure." + property + "\"");
        }
        assertThat(metadata).contains("\"defaultValue\": \"HS256\"").contains("the key publishers' tokens are verified with");
    }

    private void assertRefused(String property, String setting) {
        runner.withPropertyValues(KEY, setting).run(context -> {
            assertThat(context).as(setting).hasFailed();
            assertThat(context.getStartupFailure()).as(setting).hasStackTraceContaining(property + ": ");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class PlainEngine {
        @Bean(destroyMethod = "")
        SseEngine engine() {
            return SseEngine.builder().build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class MercureEngine {
        static final SseEngine ENGINE = SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).build();

        @Bean(destroyMethod = "")
        SseEngine engine() {
            return ENGINE;
        }
    }
}
