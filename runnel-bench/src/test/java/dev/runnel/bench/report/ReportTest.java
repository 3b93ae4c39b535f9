package dev.runnel.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    @Test
    void whenTheFloorRanEveryRowCarriesItsRatioToTheFloorsMedian(@TempDir Path dir) throws Exception {
        Path floor = dir.resolve("floor-run1.txt");
        Path runnel = dir.resolve("runnel-run1.txt");
        Path runnel2 = dir.resolve("runnel-run2.txt");
        Files.writeString(floor, "# fanout --url x\nRESULT server=floor metric=\"single event to all N: p99 over subscribers (ms)\" value=80\n");
        Files.writeString(runnel, "# fanout --url x\nRESULT server=runnel metric=\"single event to all N: p99 over subscribers (ms)\" value=100\n"
                + "RESULT server=runnel metric=\"only runnel has this\" value=3\n");
        Files.writeString(runnel2, "# fanout --url x\nRESULT server=runnel metric=\"single event to all N: p99 over subscribers (ms)\" value=140\n");

        Report.main(new String[] {"--scenario", "t", "--out", dir.resolve("out").toString(),
                floor.toString(), runnel.toString(), runnel2.toString()});

        String md = Files.readString(dir.resolve("out.md"));
        assertThat(md).contains("| server | metric | median | min | max | runs | x floor |")
                .contains("| floor | single event to all N: p99 over subscribers (ms) | 80.0 | 80.0 | 80.0 | 1/1 | 1.00 |")
                .contains("| runnel | single event to all N: p99 over subscribers (ms) | 120 | 100 | 140 | 2/2 | 1.50 |")
                .contains("| runnel | only runnel has this | 3.0 | 3.0 | 3.0 | 1/2 | - |");
    }

    @Test
    void withoutTheFloorThereIsNoRatioColumn(@TempDir Path dir) throws Exception {
        Path runnel = dir.resolve("runnel-run1.txt");
        Files.writeString(runnel, "# fanout --url x\nRESULT server=runnel metric=\"m (ms)\" value=100\n");
        Report.main(new String[] {"--scenario", "t", "--out", dir.resolve("out").toString(), runnel.toString()});
        assertThat(Files.readString(dir.resolve("out.md"))).contains("| server | metric | median | min | max | runs | load tool CPU |")
                .doesNotContain("| x floor |");
    }
}
