package dev.runnel.spring.boot;

import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.SseEngine;
import dev.runnel.pebble.PebbleFragments;
import dev.runnel.thymeleaf.ThymeleafFragments;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.thymeleaf.spring6.SpringTemplateEngine;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which FragmentRenderer the auto-configuration picks, for each class path and setting. */
class FragmentsAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RunnelAutoConfiguration.class));

    private static final FilteredClassLoader WITHOUT_PEBBLE = new FilteredClassLoader(PebbleFragments.class);
    private static final FilteredClassLoader WITHOUT_THYMELEAF = new FilteredClassLoader(ThymeleafFragments.class);

    private static String item(FragmentRenderer renderer) throws Exception {
        return renderer.render(Fragment.of("cards", "item", Map.of("name", "Zoë & co"))).strip();
    }

    @Test
    void withOnlyThymeleafFragmentsRenderWithThymeleaf() {
        runner.withClassLoader(WITHOUT_PEBBLE).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(FragmentRenderer.class)).isInstanceOf(ThymeleafFragments.class);
            assertThat(item(context.getBean(FragmentRenderer.class))).isEqualTo("<li>Zoë &amp; co</li>");
        });
    }

    @Test
    void thymeleafFragmentsUseTheApplicationsSpringTemplateEngine() {
        runner.withClassLoader(WITHOUT_PEBBLE)
                .withConfiguration(AutoConfigurations.of(
                        org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration.class))
                .run(context -> {
                    ThymeleafFragments renderer = context.getBean(ThymeleafFragments.class);
                    assertThat(renderer.engine()).isSameAs(context.getBean(SpringTemplateEngine.class));
                    // SpEL and Thymeleaf's expression utilities, as in the application's pages
                    assertThat(renderer.render(Fragment.of("cards", "shout", Map.of("word", "hey")))).isEqualTo("<p>HEY</p>");
                });
    }

    @Test
    void withOnlyPebbleFragmentsRenderWithPebble() {
        runner.withClassLoader(WITHOUT_THYMELEAF).run(context -> {
            assertThat(context.getBean(FragmentRenderer.class)).isInstanceOf(PebbleFragments.class);
            assertThat(item(context.getBean(FragmentRenderer.class))).isEqualTo("<li>Zoë &amp; co</li>");
        });
    }

    @Test
    void withBothAndNoSettingTheApplicationDoesNotStartAndSaysWhatToDo() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Runnel found two template engines for fragments, runnel-thymeleaf and runnel-pebble, "
                            + "and cannot tell which to use: set runnel.fragments=thymeleaf or runnel.fragments=pebble, "
                            + "or define a FragmentRenderer bean");
        });
    }

    @Test
    void withBothTheSettingDecides() {
        runner.withPropertyValues("runnel.fragments=thymeleaf").run(context ->
                assertThat(context.getBean(FragmentRenderer.class)).isInstanceOf(ThymeleafFragments.class));
        runner.withPropertyValues("runnel.fragments=pebble").run(context ->
                assertThat(context.getBean(FragmentRenderer.class)).isInstanceOf(PebbleFragments.class));
        runner.withPropertyValues("runnel.fragments=PEBBLE").run(context ->
                assertThat(context.getBean(FragmentRenderer.class)).isInstanceOf(PebbleFragments.class));
    }

    @Test
    void theApplicationsOwnRendererWinsOverBothAndTheSetting() {
        runner.withUserConfiguration(OwnRenderer.class).withPropertyValues("runnel.fragments=pebble").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(FragmentRenderer.class)).containsOnlyKeys("ownRenderer");
            assertThat(context.getBean(FragmentRenderer.class).render(Fragment.of("t", "b", Map.of()))).isEqualTo("own");
        });
        runner.withUserConfiguration(OwnRenderer.class).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aSettingForAnEngineThatIsNotThereNamesTheMissingModule() {
        runner.withClassLoader(WITHOUT_THYMELEAF).withPropertyValues("runnel.fragments=thymeleaf").run(context ->
                assertThat(context.getStartupFailure()).rootCause()
                        .hasMessage("runnel.fragments=thymeleaf, but runnel-thymeleaf is not on the class path: "
                                + "add the dependency dev.runnel:runnel-thymeleaf"));
    }

    @Test
    void anUnknownSettingIsRefusedWithTheAllowedValues() {
        runner.withPropertyValues("runnel.fragments=freemarker").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("runnel.fragments")
                    .hasStackTraceContaining("freemarker");
        });
    }

    @Test
    void withNeitherThereIsNoRendererAndTheEngineStarts() {
        runner.withClassLoader(new FilteredClassLoader(PebbleFragments.class, ThymeleafFragments.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(FragmentRenderer.class);
            assertThat(context).hasSingleBean(SseEngine.class);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRenderer {
        @Bean
        FragmentRenderer ownRenderer() {
            return fragment -> "own";
        }
    }
}
