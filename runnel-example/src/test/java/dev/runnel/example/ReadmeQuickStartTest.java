package dev.runnel.example;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's quick start is {@link QuickStart}, which this module compiles: the two must not drift apart. */
class ReadmeQuickStartTest {

    @Test
    void readmeQuickStartIsTheCompiledQuickStart() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/runnel/example/QuickStart.java"));
        String snippet = source.substring(source.indexOf("import dev.runnel.EventStream;"));
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md must contain QuickStart.java from its imports on").contains(snippet);
    }
}
