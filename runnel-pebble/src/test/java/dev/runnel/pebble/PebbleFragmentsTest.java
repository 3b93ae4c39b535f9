package dev.runnel.pebble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnel.Fragment;
import dev.runnel.RenderException;
import dev.runnel.SseEvent;
import dev.runnel.internal.ValueFormatter;

import io.pebbletemplates.pebble.error.PebbleException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class PebbleFragmentsTest {

    private final PebbleFragments fragments = PebbleFragments.classpath("templates");

    @Test
    void blockRendersWithContextAndEscapesHtml() {
        String html = fragments.render(Fragment.of("card", "item", Map.of("id", 7, "name", "<b>Tea & cake</b>")));

        assertThat(html.strip()).isEqualTo("<li id=\"item-7\">&lt;b&gt;Tea &amp; cake&lt;/b&gt;</li>");
    }

    @Test
    void renderedHtmlIsReturnedUnstripped() {
        String html = fragments.render(Fragment.of("card", "item", Map.of("id", 1, "name", "x")));

        assertThat(html).isEqualTo("  <li id=\"item-1\">x</li>\n");
    }

    @Test
    void templateNameMayIncludeTheSuffix() {
        assertThat(fragments.render(Fragment.of("card.peb", "item", Map.of("id", 1, "name", "x"))))
                .isEqualTo(fragments.render(Fragment.of("card", "item", Map.of("id", 1, "name", "x"))));
    }

    @Test
    void defaultClasspathFactoryReadsTheTemplatesFolder() {
        assertThat(PebbleFragments.classpath().render(Fragment.of("base", "title", Map.of()))).isEqualTo("Runnel");
    }

    @Test
    void setInsideBlockWorksWithTheImmutableFragmentContext() {
        assertThat(fragments.render(Fragment.of("counter", "counter", Map.of("count", 21)))).isEqualTo("<span>42</span>");
    }

    @Test
    void inheritedBlockRendersFromParent() {
        String html = fragments.render(Fragment.of("page", "footer", Map.of("user", "<ann>")));

        assertThat(html).isEqualTo("<p>Footer for &lt;ann&gt;</p>");
    }

    @Test
    void childOverridesParentBlock() {
        String html = fragments.render(Fragment.of("page", "content", Map.of("user", "ann")));

        assertThat(html.strip()).isEqualTo("<p>Page content for ann</p>");
        assertThat(fragments.render(Fragment.of("base", "content", Map.of()))).isEqualTo("base content");
    }

    @Test
    void missingBlockNamesTemplateBlockAndExistingBlocks() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("page", "sidebar", Map.of())))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("\"page\"")
                .hasMessageContaining("\"sidebar\"")
                .hasMessageContaining("[content, footer, title]")
                .hasMessageContaining("inherited from base");
    }

    @Test
    void missingBlockInTemplateWithoutParentListsItsOwnBlocks() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("card", "itme", Map.of())))
                .isInstanceOf(RenderException.class)
                .hasMessage("template \"card\" has no block \"itme\"; its blocks are [empty, item]");
    }

    @Test
    void existingBlockThatRendersEmptyIsNotReportedAsMissing() {
        assertThat(fragments.render(Fragment.of("card", "empty", Map.of()))).isEqualTo("   ");
    }

    @Test
    void missingTemplateNamesTheTemplate() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("nope", "content", Map.of())))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("template \"nope\" not found")
                .hasMessageContaining("templates/nope.peb");
    }

    @Test
    void otherPebbleErrorsAreWrappedWithPebbleMessageAndCause() {
        assertThatThrownBy(() -> fragments.render(Fragment.of("broken", "oops", Map.of("name", "x"))))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("template \"broken\"")
                .hasMessageContaining("nosuchfilter")
                .hasCauseInstanceOf(PebbleException.class);
    }

    @Test
    void fragmentFormatsToEventNamedAfterTargetWithStrippedData() throws Exception {
        ValueFormatter formatter = new ValueFormatter(fragments, null);

        SseEvent event = formatter.format(
                Fragment.of("page", "content", Map.of("user", "ann"), "main"), "defaultName");

        assertThat(event.event()).isEqualTo("main");
        assertThat(event.data()).isEqualTo("<p>Page content for ann</p>");
    }

    @Test
    void untargetedFragmentFormatsToDefaultEventName() throws Exception {
        SseEvent event = new ValueFormatter(fragments, null)
                .format(Fragment.of("base", "title", Map.of()), "defaultName");

        assertThat(event.event()).isEqualTo("defaultName");
        assertThat(event.data()).isEqualTo("Runnel");
    }

    @Test
    void emptyBlockBecomesRenderErrorInFormatter() {
        ValueFormatter formatter = new ValueFormatter(fragments, null);

        assertThatThrownBy(() -> formatter.format(Fragment.of("card", "empty", Map.of()), "defaultName"))
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
                        String html = fragments.render(Fragment.of("page", "content", Map.of("user", user)));
                        if (!html.strip().equals("<p>Page content for " + user + "</p>")) {
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
    void uncachedEngineRendersTheSameBlocks() {
        PebbleFragments uncached = PebbleFragments.classpath("/templates/", false);

        assertThat(uncached.render(Fragment.of("page", "footer", Map.of("user", "ann"))))
                .isEqualTo("<p>Footer for ann</p>");
    }
}
