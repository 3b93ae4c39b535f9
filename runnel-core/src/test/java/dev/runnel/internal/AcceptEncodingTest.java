package dev.runnel.internal;

import dev.runnel.compress.Compression;
import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.ContentCodings;
import dev.runnel.compress.StreamCompressor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptEncodingTest {

    record Named(String name) implements ContentCoding {
        @Override public int minWindowLog() { return 10; }
        @Override public int maxWindowLog() { return 20; }
        @Override public int defaultWindowLog() { return 15; }
        @Override public int minLevel() { return 1; }
        @Override public int maxLevel() { return 9; }
        @Override public int defaultLevel() { return 3; }
        @Override public StreamCompressor open(int windowLog, int level) {
            throw new UnsupportedOperationException();
        }
    }

    @BeforeAll
    static void register() {
        for (String name : List.of("x-gz", "x-zs", "x-br")) {
            if (ContentCodings.find(name).isEmpty()) {
                ContentCodings.register(new Named(name));
            }
        }
        ZSTD_GZIP = Compression.of("x-zs", "x-gz");
        GZIP = Compression.of("x-gz");
    }

    private static Compression ZSTD_GZIP;
    private static Compression GZIP;

    private static String choose(Compression c, String... lines) {
        return AcceptEncoding.choose(c, lines == null ? null : Arrays.asList(lines));
    }

    @Test
    void noHeaderOrAnEmptyOneGetsNoCoding() {
        assertThat(AcceptEncoding.choose(GZIP, null)).isNull();
        assertThat(AcceptEncoding.choose(GZIP, List.of())).isNull();
        assertThat(choose(GZIP, "")).isNull();
        assertThat(choose(GZIP, " , ,")).isNull();
    }

    @Test
    void offNeverCompresses() {
        assertThat(choose(Compression.OFF, "x-gz")).isNull();
        assertThat(AcceptEncoding.choose(null, List.of("x-gz"))).isNull();
    }

    @Test
    void theServersOrderWinsOverTheClientsWeights() {
        assertThat(choose(ZSTD_GZIP, "x-gz, deflate, x-br, x-zs")).isEqualTo("x-zs");
        assertThat(choose(ZSTD_GZIP, "x-gz;q=1.0, x-zs;q=0.1")).isEqualTo("x-zs");
        assertThat(choose(Compression.of("x-gz", "x-zs"), "x-zs, x-gz")).isEqualTo("x-gz");
        assertThat(choose(ZSTD_GZIP, "x-gz, deflate, x-br")).isEqualTo("x-gz");
    }

    @Test
    void qZeroRefusesACoding() {
        assertThat(choose(ZSTD_GZIP, "x-zs;q=0, x-gz")).isEqualTo("x-gz");
        assertThat(choose(ZSTD_GZIP, "x-zs;q=0.000, x-gz;q=0")).isNull();
        assertThat(choose(GZIP, "x-gz;q=0.001")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "x-gz ; Q = 0")).isNull();
    }

    @Test
    void starAcceptsWhatIsNotNamed() {
        assertThat(choose(ZSTD_GZIP, "*")).isEqualTo("x-zs");
        assertThat(choose(ZSTD_GZIP, "x-zs;q=0, *")).isEqualTo("x-gz");
        assertThat(choose(ZSTD_GZIP, "*;q=0")).isNull();
        assertThat(choose(ZSTD_GZIP, "*;q=0, x-gz")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "identity;q=0, *;q=0.5")).isEqualTo("x-gz");
    }

    @Test
    void identityAloneOrRefusedChoosesNothingItCannotAccept() {
        assertThat(choose(GZIP, "identity")).isNull();
        assertThat(choose(GZIP, "identity;q=0")).isNull();
        assertThat(choose(GZIP, "identity;q=0, x-gz")).isEqualTo("x-gz");
    }

    @Test
    void caseWhitespaceAndSeveralLinesAreRead() {
        assertThat(choose(GZIP, "  X-Gz  ")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "\tx-gz\t;\tQ=1")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "x-br", "x-gz")).isEqualTo("x-gz");
    }

    @Test
    void junkElementsAreSkippedNotTheHeader() {
        assertThat(choose(GZIP, "x-gz;q=2, x-br")).isNull();
        assertThat(choose(GZIP, "x-gz;q=abc")).isNull();
        assertThat(choose(GZIP, "x-gz;q=0.5555")).isNull();
        assertThat(choose(GZIP, "x-gz;q=1.001")).isNull();
        assertThat(choose(GZIP, "gz\u00e9ip, x-gz;q=0.2")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "\"x-gz\", x-gz;foo")).isNull();
        assertThat(choose(GZIP, ";;;,,,=,x-gz;level=9")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "x-gz;q=")).isNull();
        assertThat(choose(GZIP, "x-gz;q=0.,")).isNull();
        assertThat(choose(GZIP, "x-gz;q=1.")).isEqualTo("x-gz");
    }

    @Test
    void xGzipIsGzip() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ContentCodings.find("gzip").isPresent(), "no gzip in this build");
        assertThat(choose(Compression.of("gzip"), "x-gzip")).isEqualTo("gzip");
        assertThat(choose(Compression.of("gzip"), "X-GZIP;q=0, gzip")).isNull();
    }

    @Test
    void theFirstElementForACodingCounts() {
        assertThat(choose(GZIP, "x-gz;q=0, x-gz")).isNull();
        assertThat(choose(GZIP, "x-gz, x-gz;q=0")).isEqualTo("x-gz");
    }

    @Test
    void hostileHeadersAreReadWithoutHarm() {
        String many = "br;q=0.1, ".repeat(20_000) + "x-gz;q=0.2";
        assertThat(choose(ZSTD_GZIP, many)).as("thousands of elements").isEqualTo("x-gz");
        assertThat(choose(GZIP, ",".repeat(100_000))).isNull();
        assertThat(choose(GZIP, "x-gz;q=1;q=0")).as("a second q counts: refused").isNull();
        assertThat(choose(GZIP, "x-gz;q=0.0000")).as("too many digits: unreadable, refused").isNull();
        assertThat(choose(GZIP, "x-gz;q=0.0000, *")).as("an unreadable weight refuses the coding; * does not bring it back").isNull();
        assertThat(choose(GZIP, "x-gz;q=junk, *;q=0.5")).isNull();
        assertThat(choose(GZIP, "x-gz;;;;q=0.5;;")).isEqualTo("x-gz");
        assertThat(choose(GZIP, "\u0130x-gz, x-\u212Az, \u0000x-gz\u00ff")).as("non-ASCII and control characters").isNull();
        assertThat(choose(GZIP, "x-gz;q=\u0661")).as("a non-ASCII digit").isNull();
        assertThat(choose(GZIP, (String) null, "x-gz")).isEqualTo("x-gz");
    }
}
