package dev.runnel.compress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The lookup of codings survives a provider that cannot load (a library missing from the class path). */
class ContentCodingsTest {

    @Test
    void aProviderWhoseClassesAreMissingIsLeftOutAndTheOthersStayAvailable() {
        assertThat(ContentCodings.find("gzip")).isPresent();
        assertThat(ContentCodings.find("unloadable")).isEmpty();
        assertThat(ContentCodings.available()).containsKey("gzip").doesNotContainKey("unloadable");
    }
}
