package dev.runnel.spring.boot;

import dev.runnel.EngineMetrics;
import dev.runnel.FragmentRenderer;
import dev.runnel.JsonCodec;
import dev.runnel.SseEngine;
import dev.runnel.TraceSink;
import dev.runnel.jackson.JacksonJson;
import dev.runnel.pebble.PebbleFragments;
import dev.runnel.servlet.ServletSse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Runnel in a Spring MVC application: an {@link SseEngine} and a {@link ServletSse} bean, handler
 * methods that return an {@code EventStream}, Pebble fragments ({@code templates/<name>.peb}) when
 * {@code runnel-pebble} is on the classpath and JSON through the application's Jackson mapper when
 * {@code runnel-jackson} is. Every bean backs off when the application defines its own.
 *
 * <p>When the application stops, open streams end first (producers cancelled, no close event, so
 * browsers reconnect elsewhere) and only then does the web server's graceful shutdown wait for
 * requests, so an open stream never holds a shutdown up.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@EnableConfigurationProperties(RunnelProperties.class)
public class RunnelAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SseEngine runnelEngine(RunnelProperties properties, ObjectProvider<FragmentRenderer> renderer,
                           ObjectProvider<JsonCodec> json, ObjectProvider<TraceSink> trace,
                           ObjectProvider<EngineMetrics> metrics) {
        return SseEngine.builder()
                .debug(properties.debug())
                .closeEvent(properties.closeEvent())
                .retry(properties.retry())
                .shutdownGrace(properties.shutdownGrace())
                .renderer(renderer.getIfAvailable())
                .json(json.getIfAvailable())
                .trace(trace.getIfAvailable())
                .metrics(metrics.getIfAvailable())
                .build();
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

    /** Puts the {@code EventStream} handler first, ahead of {@code @ResponseBody}, which would claim any type. */
    @Bean
    SmartInitializingSingleton runnelReturnValueHandler(ObjectProvider<RequestMappingHandlerAdapter> adapters, ServletSse sse) {
        return () -> adapters.orderedStream().forEach(adapter -> {
            List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>();
            handlers.add(new EventStreamReturnValueHandler(sse));
            if (adapter.getReturnValueHandlers() != null) {
                handlers.addAll(adapter.getReturnValueHandlers());
            }
            adapter.setReturnValueHandlers(handlers);
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

    /** Pebble fragments from {@code templates/<name>.peb}, when {@code runnel-pebble} is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.runnel.pebble.PebbleFragments")
    static class PebbleRenderer {
        @Bean
        @ConditionalOnMissingBean(FragmentRenderer.class)
        FragmentRenderer runnelPebbleFragments() {
            return PebbleFragments.classpath();
        }
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
