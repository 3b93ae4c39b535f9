package dev.runnel.thymeleaf;

import dev.runnel.Fragment;
import dev.runnel.RenderException;
import dev.runnel.SseEvent;
import dev.runnel.internal.ValueFormatter;
import org.junit.jupiter.api.Test;
import org.thymeleaf.exceptions.TemplateProcessingException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThymeleafFragmentsTest {

    private final ThymeleafFragments fragments = ThymeleafFragments.classpath("templates", true);

    @Test
    void fragmentRendersWithContextAndEscapesHtml() {
        String html = fragments.render(Fragment.of("card", "item", Map.of("id", 7, "name", "<b>Tea & cake</b>")));

        assertThat(html).isEqualTo("<li id=\"item-7\">&lt;b&gt;Tea &amp; cake&lt;/b&gt;</li>");
    }

    @Test
    void aFragmentWithParametersTakesThemFromTheContextByName() {
        String html = fragments.render(Fragment.of("card", "note", Map.of("title", "Ünïcödé ✓", "body", "a < b")));

        assertThat(html).isEqualTo("<li><b>Ünïcödé ✓</b> <span>a &lt; b</span></li>");
    }

    @Test
    void aParameterMissingFromTheContextIsNamed() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("card", "note", Map.of("title", "t"))))
                .isInstanceOf(RenderException.class)
                .hasMessage("fragment \"note\" of template \"card\" takes parameters [title, body]; the context has no [body]");
    }

    @Test
    void aNullValueCountsAsGivenAndRendersEmpty() {
        Map<String, Object> context = new HashMap<>();
        context.put("title", null);
        context.put("body", "b");

        assertThat(fragments.render(Fragment.of("card", "note", context))).isEqualTo("<li><b></b> <span>b</span></li>");
    }

    @Test
    void theTemplateColonColonFragmentNotationNamesTemplateAndSelector() {
        Fragment fragment = ThymeleafFragments.fragment("card :: item", Map.of("id", 1, "name", "x"), "list");

        assertThat(fragment.template()).isEqualTo("card");
        assertThat(fragment.block()).isEqualTo("item");
        assertThat(fragment.target()).isEqualTo("list");
        assertThatThrownBy(() -> ThymeleafFragments.fragment("card item", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"template :: fragment\", got \"card item\"");
        assertThatThrownBy(() -> ThymeleafFragments.fragment(" :: item", Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataAttributeFragmentsRenderToo() {
        assertThat(fragments.render(Fragment.of("card", "footer", Map.of("user", "<ann>"))))
                .isEqualTo("<p>Footer for <span>&lt;ann&gt;</span></p>");
    }

    @Test
    void aMarkupSelectorOtherThanAFragmentNameWorks() {
        assertThat(fragments.render(Fragment.of("card", "p", Map.of("user", "ann")))).contains("Footer for <span>ann</span>");
    }

    @Test
    void missingFragmentNamesTemplateFragmentAndTheFragmentsThatExist() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("card", "itme", Map.of())))
                .isInstanceOf(RenderException.class)
                .hasMessage("template \"card\" has no fragment \"itme\"; its fragments are [item, note(title, body), nothing, footer]");
    }

    @Test
    void aTemplateWithoutFragmentsSaysSo() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("plain", "item", Map.of())))
                .isInstanceOf(RenderException.class)
                .hasMessage("template \"plain\" has no fragment \"item\"; its fragments are []");
    }

    @Test
    void aDeclaredFragmentThatRendersEmptyIsNotReportedAsMissing() {
        assertThat(fragments.render(Fragment.of("card", "nothing", Map.of()))).isEmpty();
    }

    @Test
    void missingTemplateNamesTheTemplate() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("nope", "item", Map.of())))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("template \"nope\" not found")
                .hasMessageContaining("nope");
    }

    @Test
    void otherThymeleafErrorsAreWrappedWithThymeleafsMessageAndCause() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("broken", "oops", Map.of("name", "x"))))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("fragment \"oops\" of template \"broken\"")
                .hasMessageContaining("nosuchproperty")
                .hasCauseInstanceOf(TemplateProcessingException.class);
    }

    @Test
    void fragmentFormatsToEventNamedAfterTargetWithStrippedData() throws Exception {
        SseEvent event = new ValueFormatter(fragments, null)
                .format(Fragment.of("card", "item", Map.of("id", 3, "name", "x"), "items"), "defaultName");

        assertThat(event.event()).isEqualTo("items");
        assertThat(event.data()).isEqualTo("<li id=\"item-3\">x</li>");
    }

    @Test
    void emptyFragmentBecomesRenderErrorInFormatter() {
        ValueFormatter formatter = new ValueFormatter(fragments, null);

        assertThatThrownBy(() -> formatter.format(Fragment.of("card", "nothing", Map.of()), "defaultName"))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void concurrentRendersGiveEachCallerItsOwnOutput() throws Exception {
        int threads = 8;
        int rendersPerThread = 200;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < rendersPerThread; i++) {
                        String user = "user-" + thread + "-" + i;
                        String html = fragments.render(Fragment.of("card", "note", Map.of("title", user, "body", i)));
                        if (!html.equals("<li><b>" + user + "</b> <span>" + i + "</span></li>")) {
                            mismatches.add(html);
                        }
                    }
                    return mismatches;
                }));
            }
            start.countDown();
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEmpty();
            }
        }
    }

    @Test
    void uncachedEngineRendersTheSameFragments() {
        ThymeleafFragments uncached = ThymeleafFragments.classpath("/templates", false);

        assertThat(uncached.render(Fragment.of("card", "item", Map.of("id", 1, "name", "x")))).isEqualTo("<li id=\"item-1\">x</li>");
        assertThat(ThymeleafFragments.classpath().render(Fragment.of("card", "item", Map.of("id", 1, "name", "x"))))
                .isEqualTo("<li id=\"item-1\">x</li>");
    }
}
