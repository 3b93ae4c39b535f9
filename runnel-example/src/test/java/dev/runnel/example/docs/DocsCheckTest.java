package dev.runnel.example.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The docs checks themselves, on small repositories made for each test: they find what is wrong, and only that. */
class DocsCheckTest {

    @TempDir
    Path root;

    /** Writes {@code text} with BEGIN and END made region markers (written so, this file has no region of its own). */
    private void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text.replace("// BEGIN ", "// docs:begin ").replace("// END ", "// docs:end "));
    }

    private List<String> brokenLinks() throws IOException {
        DocsCheck check = new DocsCheck(root);
        return check.brokenLinks(check.pages());
    }

    private List<String> sampleMismatches() throws IOException {
        DocsCheck check = new DocsCheck(root);
        return check.sampleMismatches(check.pages());
    }

    @Test
    void anchorsFollowGithubsRulesForPunctuationCodeLinksAndRepeats() {
        MarkdownPage page = MarkdownPage.parse("""
                # Runnel
                ## HTTP/2 and the six-stream limit
                ## Client dialects: htmx 2, htmx 4, Datastar
                ### On the command line: `./runnel listen`
                ## [Several nodes](CLUSTER.md) on Redis
                ## Überblick & Ziele
                ## Faults
                ## Faults
                """);

        assertThat(page.anchors()).containsExactlyInAnyOrder("runnel", "http2-and-the-six-stream-limit",
                "client-dialects-htmx-2-htmx-4-datastar", "on-the-command-line-runnel-listen",
                "several-nodes-on-redis", "überblick--ziele", "faults", "faults-1");
    }

    @Test
    void aLinkToAMissingFileOrAMissingHeadingIsReportedWithItsPageAndLine() throws Exception {
        write("README.md", """
                # Front
                See [options](docs/OPTIONS.md#per-stream), [gone](docs/GONE.md),
                [a wrong anchor](docs/OPTIONS.md#per-engine) and [here](#front).
                """);
        write("docs/OPTIONS.md", "# Options\n\n## Per stream\n\n![chart](../bench/chart.png) [back](../README.md#nowhere)\n");

        assertThat(brokenLinks()).containsExactly(
                "README.md:2: link to docs/GONE.md: no file docs/GONE.md",
                "README.md:3: link to docs/OPTIONS.md#per-engine: no heading with anchor #per-engine in docs/OPTIONS.md",
                "docs/OPTIONS.md:5: link to ../bench/chart.png: no file bench/chart.png",
                "docs/OPTIONS.md:5: link to ../README.md#nowhere: no heading with anchor #nowhere in README.md");
    }

    @Test
    void linksInCodeAndToOtherSitesAreNotChecked() throws Exception {
        write("README.md", """
                # Front
                `[not a link](nowhere.md)` and [a site](https://example.com/x.md#y)

                ```
                [also not a link](nowhere.md)
                ```
                """);

        assertThat(brokenLinks()).isEmpty();
    }

    @Test
    void aJavaFenceMustNameItsSampleAndEqualItsRegionWhateverTheIndentation() throws Exception {
        write("mod/src/test/java/Sample.java", """
                final class Sample {
                    static int twice(int x) {
                        // BEGIN twice
                        int y = x * 2;
                        return y;
                        // END twice
                    }
                }
                """);
        write("README.md", """
                # Front
                <!-- sample: mod/src/test/java/Sample.java#twice -->
                ```java
                int y = x * 2;
                return y;
                ```

                <!-- sample: mod/src/test/java/Sample.java#twice -->
                ```java
                int y = x * 3;
                return y;
                ```

                ```java
                int unchecked = 1;
                ```

                <!-- sample: mod/src/test/java/Sample.java#thrice -->
                ```java
                int z;
                ```
                """);

        assertThat(sampleMismatches()).containsExactly(
                "README.md:9: sample mod/src/test/java/Sample.java#twice differs from the page at its line 1: the source has [int y = x * 2;], the page [int y = x * 3;]",
                "README.md:14: a Java sample without a <!-- sample: PATH#REGION --> line above it",
                "README.md:19: sample mod/src/test/java/Sample.java#thrice: no region // docs:begin thrice in the file");
    }

    @Test
    void aFenceThatShowsOnlyPartOfARegionIsAMismatch() throws Exception {
        write("mod/src/test/java/Sample.java", "class Sample {\n    // BEGIN all\n    int a;\n    int b;\n    // END all\n}\n");
        write("README.md", "# Front\n<!-- sample: mod/src/test/java/Sample.java#all -->\n```java\nint a;\n```\n");

        assertThat(sampleMismatches()).containsExactly(
                "README.md:3: sample mod/src/test/java/Sample.java#all differs from the page at its line 2: the source has [int b;], the page [(end)]");
    }

    @Test
    void partsOfOneRegionAreJoinedByOneBlankLine() throws Exception {
        write("mod/src/test/java/Sample.java", """
                // BEGIN use
                import java.util.List;
                // END use
                final class Sample {
                    static List<String> names() {
                        // BEGIN use
                        return List.of("ada");
                        // END use
                    }
                }
                """);
        write("README.md", "# Front\n<!-- sample: mod/src/test/java/Sample.java#use -->\n```java\nimport java.util.List;\n\nreturn List.of(\"ada\");\n```\n");

        assertThat(sampleMismatches()).isEmpty();
    }

    @Test
    void aFenceNamingAWholeFileMustAppearInItLineByLine() throws Exception {
        write("mod/src/main/resources/clock.peb", "<section>\n  {% block time %}<time>{{ t }}</time>{% endblock %}\n</section>\n");
        write("README.md", """
                # Front
                <!-- sample: mod/src/main/resources/clock.peb -->
                ```
                {% block time %}<time>{{ t }}</time>{% endblock %}
                ```
                <!-- sample: mod/src/main/resources/clock.peb -->
                ```
                {% block time %}<time>{{ time }}</time>{% endblock %}
                ```
                """);

        assertThat(sampleMismatches()).containsExactly(
                "README.md:7: sample mod/src/main/resources/clock.peb: the file does not contain the fence's lines");
    }

    @Test
    void aRegionNoPageShowsIsReported() throws Exception {
        write("mod/src/test/java/Sample.java", "class Sample {\n    // BEGIN shown\n    int a;\n    // END shown\n    // BEGIN forgotten\n    int b;\n    // END forgotten\n}\n");
        write("README.md", "# Front\n<!-- sample: mod/src/test/java/Sample.java#shown -->\n```java\nint a;\n```\n");
        DocsCheck check = new DocsCheck(root);

        assertThat(check.unusedRegions(check.pages())).containsExactly("mod/src/test/java/Sample.java#forgotten: a docs region that no page shows");
    }

    @Test
    void anUnclosedOrCrossedRegionMarkerIsAnError() {
        assertThatThrownBy(() -> DocsCheck.regions(List.of("// docs:begin a", "int x;")))
                .hasMessage("region a is not closed");
        assertThatThrownBy(() -> DocsCheck.regions(List.of("// docs:begin a", "// docs:end b")))
                .hasMessage("line 2: docs:end b but the open region is a");
    }
}
