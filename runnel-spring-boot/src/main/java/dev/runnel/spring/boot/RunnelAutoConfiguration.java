package dev.runnel.spring.boot;

import dev.runnel.EngineMetrics;
import dev.runnel.FragmentRenderer;
import dev.runnel.JsonCodec;
import dev.runnel.SseEngine;
import dev.runnel.TraceSink;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.TopicAccess;
import dev.runnel.jackson.JacksonJson;
import dev.runnel.servlet.ServletSse;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Runnel in a Spring MVC application: an {@link SseEngine}, its {@link Hub} and a {@link ServletSse}
 * bean; handler methods that return an {@code EventStream} and take a {@code RequestContext};
 * fragments rendered with Thymeleaf or Pebble (see {@link FragmentsConfiguration}); JSON through
 * the application's Jackson mapper when {@code runnel-jackson} is present; the hub configured by
 * {@code runnel.hub.*}, on Redis when {@code runnel.hub.redis-uri} is set, with the application's
 * {@link TopicAccess} bean as its access rule; the streams of an HTTP session ended when the session
 * ends (logout, expiry, invalidation). Every bean backs off when the application defines its own.
 *
 * <p>When the application stops, open streams end first (producers cancelled, no close event, so
 * browsers reconnect elsewhere) and only then does the web server's graceful shutdown wait for
 * requests, so an open stream never holds a shutdown up.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@EnableConfigurationProperties(RunnelProperties.class)
@Import({FragmentsConfiguration.class, ActuatorConfiguration.class})
public class RunnelAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SseEngine runnelEngine(RunnelProperties properties, ObjectProvider<FragmentRenderer> renderer,
                           ObjectProvider<JsonCodec> json, ObjectProvider<TraceSink> trace,
                           ObjectProvider<EngineMetrics> metrics, ObjectProvider<TopicAccess> access,
                           ObjectProvider<HubLog> hubLog, org.springframework.context.ApplicationContext context) {
        RunnelProperties.Hub hub = properties.hub();
        HubOptions options = HubOptions.DEFAULTS
                .withReplay(hub.replayCount(), hub.replayAge())
                .withQueueLimits(hub.maxQueuedEvents(), hub.maxQueuedBytes().toBytes())
                .withSlowClients(hub.slowClients())
                .withMaxTopics(hub.maxTopics())
                .withMaxReplayBytes(hub.maxReplayBytes().toBytes())
                .withMaxHistory(hub.maxHistory())
                .withMaxSelectors(hub.maxSelectors())
                .withPublisherIds(hub.publisherIds() || mercureEnabled(context.getEnvironment(), context.getClassLoader()))
                .withAccess(access.getIfAvailable(() -> TopicAccess.ALLOW_ALL));
        HubLog log = hub.redisUri() != null ? RedisHub.connect(hub.redisUri(), context.getClassLoader()) : hubLog.getIfAvailable();
        try {
            return build(properties, renderer, json, trace, metrics, options, log);
        } catch (RuntimeException | Error e) {
            if (hub.redisUri() != null && log != null) {
                closeQuietly(log, e); // made here, for an engine that will never own it
            }
            throw e;
        }
    }

    /**
     * Whether {@link MercureAutoConfiguration} will serve a Mercure hub, which needs publishers' ids:
     * its conditions, asked here before the engine is built. Kept out of that class, which links
     * {@code runnel-mercure}'s types.
     */
    static boolean mercureEnabled(org.springframework.core.env.Environment environment, ClassLoader classLoader) {
        String key = environment.getProperty(MercureAutoConfiguration.KEY_PROPERTY);
        return key != null && !key.equalsIgnoreCase("false")
                && org.springframework.util.ClassUtils.isPresent("dev.runnel.mercure.MercureHub", classLoader)
                && org.springframework.util.ClassUtils.isPresent("dev.runnel.mercure.servlet.MercureServlet", classLoader);
    }

    private static void closeQuietly(HubLog log, Throwable failure) {
        try {
            log.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static SseEngine build(RunnelProperties properties, ObjectProvider<FragmentRenderer> renderer,
                                   ObjectProvider<JsonCodec> json, ObjectProvider<TraceSink> trace,
                                   ObjectProvider<EngineMetrics> metrics, HubOptions options, HubLog log) {
        return SseEngine.builder()
                .debug(properties.debug())
                .closeEvent(properties.closeEvent())
                .retry(properties.retry())
                .shutdownGrace(properties.shutdownGrace())
                .renderer(renderer.getIfAvailable())
                .json(json.getIfAvailable())
                .trace(trace.getIfAvailable())
                .metrics(metrics.getIfAvailable())
                .hub(options)
                .hubLog(log)
                .build();
    }

    /** The engine's hub, to inject where events are published. */
    @Bean
    @ConditionalOnMissingBean
    Hub runnelHub(SseEngine engine) {
        return engine.hub();
    }

    @Bean
    @ConditionalOnMissingBean
    ServletSse runnelServletSse(SseEngine engine, RunnelProperties properties) {
        return ServletSse.builder(engine)
                .writeTimeout(properties.writeTimeout())
                .watchConnections(properties.watchConnections())
                .build();
    }

    @Bean
    RunnelErrorAdvice runnelErrorAdvice() {
        return new RunnelErrorAdvice();
    }

    /** First in every request's filter chain: a stream's first write waits until the chain has returned. */
    @Bean
    FilterRegistrationBean<StreamStartGate> runnelStreamStartGate(RunnelProperties properties) {
        FilterRegistrationBean<StreamStartGate> registration = new FilterRegistrationBean<>(new StreamStartGate(properties.startWait()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.setAsyncSupported(true);
        registration.setName("runnelStreamStartGate");
        return registration;
    }

    /** Ends a session's streams when the session ends. */
    @Bean
    ServletListenerRegistrationBean<SessionStreams> runnelSessionStreams(SseEngine engine, RunnelProperties properties) {
        // one listener for both events: the end of a session, and its change of id (at login)
        return new ServletListenerRegistrationBean<>(new SessionStreams(engine, properties.startWait()));
    }

    /**
     * Puts the {@code EventStream} handler first, ahead of {@code @ResponseBody}, which would claim
     * any type, and lets handler methods take a {@code RequestContext}.
     */
    @Bean
    SmartInitializingSingleton runnelReturnValueHandler(ObjectProvider<RequestMappingHandlerAdapter> adapters, ServletSse sse,
                                                        ServletListenerRegistrationBean<SessionStreams> sessions) {
        return () -> adapters.orderedStream().forEach(adapter -> {
            List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>();
            handlers.add(new EventStreamReturnValueHandler(sse, sessions.getListener()));
            if (adapter.getReturnValueHandlers() != null) {
                handlers.addAll(adapter.getReturnValueHandlers());
            }
            adapter.setReturnValueHandlers(handlers);
            List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
            resolvers.add(new RequestContextArgumentResolver());
            if (adapter.getArgumentResolvers() != null) {
                resolvers.addAll(adapter.getArgumentResolvers());
            }
            adapter.setArgumentResolvers(resolvers);
        });
    }

    /** Ends open streams when the application stops, before the web server waits for requests to finish. */
    @Bean
    SmartLifecycle runnelStreamsShutdown(SseEngine engine) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                engine.shutdown(engine.shutdownGrace());
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return SmartLifecycle.DEFAULT_PHASE; // the highest: stops before the web server (DEFAULT_PHASE - 2048)
            }
        };
    }

    /** Runnel's meters in the application's registry (and so in Actuator), when {@code runnel-micrometer} is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.runnel.micrometer.RunnelMetrics", "io.micrometer.core.instrument.MeterRegistry"})
    static class Micrometer {
        @Bean
        @ConditionalOnMissingBean(EngineMetrics.class)
        @ConditionalOnBean(io.micrometer.core.instrument.MeterRegistry.class)
        EngineMetrics runnelMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
            return new dev.runnel.micrometer.RunnelMetrics(registry);
        }
    }

    /** JSON through the application's Jackson mapper, when {@code runnel-jackson} is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.runnel.jackson.JacksonJson", "tools.jackson.databind.json.JsonMapper"})
    static class JacksonCodec {
        @Bean
        @ConditionalOnMissingBean(JsonCodec.class)
        JsonCodec runnelJacksonJson(ObjectProvider<JsonMapper> mapper) {
            return new JacksonJson(mapper.getIfAvailable(() -> JsonMapper.builder().build()));
        }
    }
}
