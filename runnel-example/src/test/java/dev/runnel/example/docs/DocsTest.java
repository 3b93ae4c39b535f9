package dev.runnel.example.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's docs: every relative link in the README, {@code docs/} and the benchmark pages
 * resolves, and every code sample is the text of a compiled source file (see {@link DocsCheck}).
 */
class DocsTest {

    private final DocsCheck repository = new DocsCheck(Path.of(".."));
    private final List<Path> pages = repository.pages();

    @Test
    void theCheckReadsTheReadmeEveryDocsPageAndTheBenchmarkPages() {
        assertThat(pages).extracting(p -> p.getFileName().toString())
                .contains("README.md", "ARCHITECTURE.md", "STREAMS.md", "HUB.md", "BENCHMARKS.md", "2026-11-28-fanout-10k.md");
    }

    @Test
    void everyRelativeLinkPointsAtAFileAndHeadingThatExist() throws Exception {
        assertThat(repository.brokenLinks(pages)).isEmpty();
    }

    @Test
    void everyCodeSampleIsTheTextOfItsCompiledSourceFile() throws Exception {
        assertThat(repository.sampleMismatches(pages)).isEmpty();
    }

    @Test
    void everyMarkedSourceRegionIsShownOnSomePage() throws Exception {
        assertThat(repository.unusedRegions(pages)).isEmpty();
    }
}
