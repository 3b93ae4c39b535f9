package dev.runnel.spring.boot;

import dev.runnel.FragmentRenderer;
import dev.runnel.spring.boot.RunnelProperties.FragmentEngine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

import java.util.Locale;

/**
 * The fragment renderer, when the application defines none: Thymeleaf's when {@code runnel-thymeleaf}
 * is on the class path (on the application's own {@code SpringTemplateEngine} when there is one),
 * Pebble's when {@code runnel-pebble} is. With both, {@code runnel.fragments=thymeleaf|pebble}
 * decides, and without it the application does not start: the message says both ways out.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(FragmentRenderer.class)
class FragmentsConfiguration {

    static final String THYMELEAF = "dev.runnel.thymeleaf.ThymeleafFragments";
    static final String PEBBLE = "dev.runnel.pebble.PebbleFragments";

    /** What the class path and {@code runnel.fragments} choose. */
    sealed interface Choice {
        record Use(FragmentEngine engine) implements Choice {
        }

        record None() implements Choice {
        }

        record Refused(String message) implements Choice {
        }
    }

    static Choice choose(String property, boolean thymeleaf, boolean pebble) {
        if (property == null || property.isBlank()) {
            if (thymeleaf && pebble) {
                return new Choice.Refused("Runnel found two template engines for fragments, runnel-thymeleaf and runnel-pebble, "
                        + "and cannot tell which to use: set runnel.fragments=thymeleaf or runnel.fragments=pebble, "
                        + "or define a FragmentRenderer bean");
            }
            return thymeleaf ? new Choice.Use(FragmentEngine.THYMELEAF) : pebble ? new Choice.Use(FragmentEngine.PEBBLE) : new Choice.None();
        }
        FragmentEngine chosen;
        try {
            chosen = FragmentEngine.valueOf(property.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return new Choice.Refused("runnel.fragments must be thymeleaf or pebble, got \"" + property + '"');
        }
        boolean present = chosen == FragmentEngine.THYMELEAF ? thymeleaf : pebble;
        if (!present) {
            String module = chosen == FragmentEngine.THYMELEAF ? "runnel-thymeleaf" : "runnel-pebble";
            return new Choice.Refused("runnel.fragments=" + property.strip() + ", but " + module
                    + " is not on the class path: add the dependency dev.runnel:" + module);
        }
        return new Choice.Use(chosen);
    }

    static Choice choose(ConditionContext context) {
        ClassLoader loader = context.getClassLoader();
        boolean thymeleaf = ClassUtils.isPresent(THYMELEAF, loader) && ClassUtils.isPresent("org.thymeleaf.ITemplateEngine", loader);
        boolean pebble = ClassUtils.isPresent(PEBBLE, loader);
        return choose(context.getEnvironment().getProperty("runnel.fragments"), thymeleaf, pebble);
    }

    static final class ThymeleafChosen implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return choose(context) instanceof Choice.Use(FragmentEngine engine) && engine == FragmentEngine.THYMELEAF;
        }
    }

    static final class PebbleChosen implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return choose(context) instanceof Choice.Use(FragmentEngine engine) && engine == FragmentEngine.PEBBLE;
        }
    }

    static final class Refused implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return choose(context) instanceof Choice.Refused;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(ThymeleafChosen.class)
    static class Thymeleaf {
        /** On the application's Thymeleaf engine (Spring Boot's, with its resolvers and SpEL) when there is one. */
        @Bean
        FragmentRenderer runnelThymeleafFragments(ObjectProvider<org.thymeleaf.ITemplateEngine> engine) {
            org.thymeleaf.ITemplateEngine templates = engine.getIfUnique();
            return templates == null ? dev.runnel.thymeleaf.ThymeleafFragments.classpath()
                    : new dev.runnel.thymeleaf.ThymeleafFragments(templates);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(PebbleChosen.class)
    static class Pebble {
        /** Templates from {@code templates/<name>.peb}. */
        @Bean
        FragmentRenderer runnelPebbleFragments() {
            return dev.runnel.pebble.PebbleFragments.classpath();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(Refused.class)
    static class Undecided {
        /** Stops the application with the reason: there is no renderer Runnel can pick on its own. */
        @Bean
        FragmentRenderer runnelFragmentsUndecided(org.springframework.context.ApplicationContext context) {
            ClassLoader loader = context.getClassLoader();
            org.springframework.core.env.Environment environment = context.getEnvironment();
            Choice choice = choose(environment.getProperty("runnel.fragments"),
                    ClassUtils.isPresent(THYMELEAF, loader) && ClassUtils.isPresent("org.thymeleaf.ITemplateEngine", loader),
                    ClassUtils.isPresent(PEBBLE, loader));
            throw new IllegalStateException(choice instanceof Choice.Refused(String message) ? message
                    : "runnel.fragments: the choice changed while the application started");
        }
    }
}
