package dev.runnel.compress;

import dev.runnel.EventStream;
import dev.runnel.StreamOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionTest {

    /** A coding with odd ranges, so a check against another coding's range would fail. */
    static final ContentCoding RANGED = new ContentCoding() {
        @Override public String name() { return "x-ranged"; }
        @Override public int minWindowLog() { return 11; }
        @Override public int maxWindowLog() { return 13; }
        @Override public int defaultWindowLog() { return 12; }
        @Override public int minLevel() { return -3; }
        @Override public int maxLevel() { return 4; }
        @Override public int defaultLevel() { return 2; }
        @Override public StreamCompressor open(int windowLog, int level) {
            throw new UnsupportedOperationException();
        }
    };

    @BeforeAll
    static void register() {
        if (ContentCodings.find("x-ranged").isEmpty()) {
            ContentCodings.register(RANGED);
        }
    }

    @Test
    void offIsTheDefaultOfEveryStream() {
        assertThat(StreamOptions.DEFAULTS.compression()).isEqualTo(Compression.OFF);
        assertThat(Compression.OFF.isOff()).isTrue();
        assertThat(new StreamOptions(null, Duration.ofSeconds(2), null, null, null, null).compression()).isSameAs(Compression.OFF);
        assertThat(new StreamOptions(null, null, null, null, null, null, null, false).compression()).isSameAs(Compression.OFF);
        assertThat(new StreamOptions(null, null, null, null, null, null, null, true, null).compression()).isSameAs(Compression.OFF);
    }

    @Test
    void withCompressionKeepsEveryOtherOption() {
        StreamOptions o = StreamOptions.DEFAULTS.withHeartbeat(Duration.ofSeconds(3)).withoutRetryEvent()
                .withCompression(Compression.of("X-Ranged"));
        assertThat(o.compression().codings()).containsExactly("x-ranged");
        assertThat(o.heartbeat()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.retryEvent()).isFalse();
        assertThat(o.withHeartbeat(Duration.ofSeconds(4)).compression()).isEqualTo(o.compression());
        EventStream s = EventStream.of(List.of("a").iterator()).compression(Compression.of("x-ranged"));
        assertThat(s.options().compression().codings()).containsExactly("x-ranged");
    }

    @Test
    void anUnknownCodingFailsAtConfigurationNamingIt() {
        assertThatThrownBy(() -> Compression.of("br"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"br\"");
    }

    @Test
    void zstdWithoutItsModuleNamesTheModule() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ContentCodings.find("zstd").isEmpty(), "runnel-zstd is on the class path");
        assertThatThrownBy(() -> Compression.of("zstd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"zstd\"").hasMessageContaining("runnel-zstd");
    }

    @Test
    void identityAndDuplicatesAndBlanksAreRefused() {
        assertThatThrownBy(() -> Compression.of("identity")).hasMessageContaining("identity");
        assertThatThrownBy(() -> Compression.of("x-ranged", "X-RANGED ")).hasMessageContaining("twice");
        assertThatThrownBy(() -> Compression.of(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> Compression.of((String) null)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void windowAndLevelAreCheckedAgainstTheCodingsOwnRange() {
        Compression c = Compression.of("x-ranged");
        assertThat(c.windowLog("x-ranged")).isEqualTo(12);
        assertThat(c.level("x-ranged")).isEqualTo(2);
        assertThat(c.withWindowLog("x-ranged", 13).windowLog("x-ranged")).isEqualTo(13);
        assertThat(c.withLevel("X-Ranged", -3).level("x-ranged")).isEqualTo(-3);
        assertThatThrownBy(() -> c.withWindowLog("x-ranged", 14))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Compression.windowLog of x-ranged must be from 11 to 13, got 14");
        assertThatThrownBy(() -> c.withWindowLog("x-ranged", 10)).hasMessageContaining("from 11 to 13, got 10");
        assertThatThrownBy(() -> c.withLevel("x-ranged", 5))
                .hasMessage("Compression.level of x-ranged must be from -3 to 4, got 5");
        assertThatThrownBy(() -> c.withLevel("x-other", 1)).hasMessageContaining("not one of the codings");
    }

    @Test
    void registerRefusesATakenName() {
        assertThatThrownBy(() -> ContentCodings.register(RANGED)).hasMessageContaining("already known");
        assertThat(ContentCodings.available()).containsKey("x-ranged");
    }

    @Test
    void theRegisteredCodingIsFoundInAnyCase() {
        assertThat(ContentCodings.find("X-RANGED ")).containsSame(RANGED);
        assertThat(ContentCodings.find("nope")).isEmpty();
        assertThat(ContentCodings.find(null)).isEmpty();
    }
}
