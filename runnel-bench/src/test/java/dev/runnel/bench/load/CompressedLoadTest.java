package dev.runnel.bench.load;

import dev.runnel.bench.server.RunnelBenchServer;
import dev.runnel.compress.Compression;
import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The load tool against a compressed topic route: each connection asks for a coding, checks it and decodes it. */
class CompressedLoadTest {

    /** Opens {@code n} connections asking for {@code coding}, publishes {@code events} and returns what arrived. */
    private static SseConnections.Snapshot run(RunnelServer server, String coding, int n, int events) throws Exception {
        URI sub = server.uri().resolve("/sse/topic/coded");
        try (Fleet fleet = Fleet.local(List.of(sub), List.of(), coding);
             Publisher publisher = new Publisher(new Publisher.Template("POST", server.uri().resolve("/publish/coded"),
                     List.of("Content-Type: application/x-www-form-urlencoded"), "data={ts} ünï <p class=\"row\">"), 4)) {
            fleet.open(n);
            long deadline = System.currentTimeMillis() + 15_000;
            while (fleet.snapshot().open() + fleet.snapshot().failed() < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            if (fleet.snapshot().open() == 0) {
                return fleet.snapshot();
            }
            for (int i = 0; i < events; i++) {
                publisher.publishOne();
            }
            SseConnections.Snapshot s;
            do {
                Thread.sleep(20);
                s = fleet.snapshot();
            } while (s.events() < (long) n * events && System.currentTimeMillis() < deadline);
            return fleet.snapshot();
        }
    }

    @Test
    void gzipAndZstdConnectionsDecodeEveryEvent() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0, null, false, Compression.of("zstd", "gzip"))) {
            for (String coding : new String[] {"gzip", "zstd", null}) {
                SseConnections.Snapshot s = run(server, coding, 20, 5);
                assertThat(s.failed()).as(coding).isZero();
                assertThat(s.events()).as(coding).isEqualTo(100);
            }
        }
    }

    @Test
    void aConnectionAnsweredWithoutItsCodingCountsAsFailed() throws Exception {
        try (RunnelServer server = RunnelBenchServer.start(0)) { // compression off: answers plain
            SseConnections.Snapshot s = run(server, "gzip", 5, 1);
            assertThat(s.open()).isZero();
            assertThat(s.failed()).isEqualTo(5);
        }
    }
}
