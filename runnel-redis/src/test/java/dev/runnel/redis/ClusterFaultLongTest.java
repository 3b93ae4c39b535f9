package dev.runnel.redis;

import org.junit.jupiter.api.Tag;

import java.time.Duration;

/**
 * {@link ClusterFaultTest} at full length: Redis unreachable for 30 s, a node stopped for 20 s, 5,000
 * clients on the node that is killed. Tagged {@code soak}, so the default build leaves it out; run it
 * with {@code mvn -pl runnel-redis -am test -Dtest=ClusterFaultLongTest -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.excludedGroups=}.
 */
@Tag("soak")
class ClusterFaultLongTest extends ClusterFaultTest {

    @Override
    protected Duration outage() {
        return Duration.ofSeconds(30);
    }

    @Override
    protected Duration stall() {
        return Duration.ofSeconds(20);
    }

    @Override
    protected int clientsOnKilledNode() {
        return 5000;
    }
}
