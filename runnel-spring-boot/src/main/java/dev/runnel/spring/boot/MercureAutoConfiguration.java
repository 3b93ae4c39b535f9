package dev.runnel.spring.boot;

import dev.runnel.SseEngine;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.servlet.MercureServlet;
import dev.runnel.servlet.ServletSse;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * A Mercure hub at {@code /.well-known/mercure} (and its active subscriptions API under it), on the
 * engine's hub, when {@code runnel-mercure} is on the class path and
 * {@code runnel.mercure.publisher-jwt-key} is set; configured by {@link MercureProperties}. The
 * auto-configured engine then allows publishers' ids, which Mercure needs; an engine the
 * application defines must allow them itself, or the application does not start.
 *
 * <p>The hub authorizes every request with its tokens: behind Spring Security, permit
 * {@code /.well-known/mercure/**} and leave it out of CSRF protection (a filter that reads a
 * publish's form parameters leaves the hub an empty body).
 */
@AutoConfiguration(after = RunnelAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = {"dev.runnel.mercure.MercureHub", "dev.runnel.mercure.servlet.MercureServlet"})
@ConditionalOnProperty(prefix = "runnel.mercure", name = "publisher-jwt-key")
@EnableConfigurationProperties(MercureProperties.class)
public class MercureAutoConfiguration {

    static final String KEY_PROPERTY = "runnel.mercure.publisher-jwt-key";

    @Bean
    @ConditionalOnMissingBean
    MercureHub runnelMercureHub(SseEngine engine, MercureProperties properties) {
        if (!engine.hub().options().publisherIds()) {
            throw new IllegalStateException(KEY_PROPERTY + " is set, so Runnel serves a Mercure hub, and it needs an engine "
                    + "whose hub allows publishers' ids; the application's SseEngine bean does not: build it with "
                    + ".hub(HubOptions.DEFAULTS.withPublisherIds(true)), or let Runnel auto-configure it");
        }
        return MercureHub.of(engine.hub(), properties.options());
    }

    @Bean
    @ConditionalOnMissingBean(name = "runnelMercureServlet")
    ServletRegistrationBean<MercureServlet> runnelMercureServlet(ServletSse sse, MercureHub hub) {
        MercureServlet servlet = MercureServlet.builder(sse, hub)
                .streams((request, subscribe) -> {
                    Object gate = request.getAttribute(StreamStartGate.ATTRIBUTE);
                    return context -> {
                        StreamStartGate.await(gate);
                        return subscribe.open(context);
                    };
                })
                .build();
        ServletRegistrationBean<MercureServlet> registration = new ServletRegistrationBean<>(servlet, MercureServlet.MAPPINGS);
        registration.setName("runnelMercure");
        registration.setAsyncSupported(true);
        return registration;
    }
}
