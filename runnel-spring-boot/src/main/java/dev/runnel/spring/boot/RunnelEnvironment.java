package dev.runnel.spring.boot;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

import java.util.Map;

/**
 * Runnel's defaults for other parts of Spring Boot, each overridden by any value the application
 * sets: with Actuator's health on the class path, the readiness group includes health
 * {@code runnel}, so an instance whose hub cannot reach Redis is taken out of the load balancer.
 */
final class RunnelEnvironment implements EnvironmentPostProcessor {

    static final String READINESS = "management.endpoint.health.group.readiness.include";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (ClassUtils.isPresent("org.springframework.boot.health.contributor.HealthIndicator", getClass().getClassLoader())
                && !environment.containsProperty(READINESS)) {
            environment.getPropertySources().addLast(new MapPropertySource("runnelDefaults",
                    Map.of(READINESS, "readinessState,runnel")));
        }
    }
}
