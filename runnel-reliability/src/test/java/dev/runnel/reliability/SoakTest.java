package dev.runnel.reliability;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The soak's arithmetic: the memory slope it reports is the least-squares one. */
class SoakTest {

    @Test
    void slopeOfSamplesGrowingTwoMegabytesAMinuteIsTwo() {
        // every 5 s (1/12 min): +2 MB/min is +1/6 MB a sample
        List<Double> samples = List.of(100.0, 100.0 + 1.0 / 6, 100.0 + 2.0 / 6, 100.5, 100.0 + 4.0 / 6, 100.0 + 5.0 / 6);
        assertThat(Soak.slope(samples, 1.0 / 12)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void slopeOfFlatSamplesIsZero() {
        assertThat(Soak.slope(List.of(300.0, 300.0, 300.0, 300.0), 1.0 / 12)).isZero();
    }

    @Test
    void slopeOfFewerThanTwoSamplesIsZero() {
        assertThat(Soak.slope(List.of(), 1.0 / 12)).isZero();
        assertThat(Soak.slope(List.of(42.0), 1.0 / 12)).isZero();
    }

    @Test
    void residentMemoryOfThisProcessIsReadFromProc() {
        assertThat(Soak.rssMegabytes(ProcessHandle.current().pid())).isGreaterThan(1.0);
    }
}
