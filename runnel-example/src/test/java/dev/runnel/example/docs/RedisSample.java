package dev.runnel.example.docs;

import dev.runnel.SseEngine;
import dev.runnel.hub.Hub;
import dev.runnel.redis.RedisHubLog;

import java.net.URI;

/** The sample of docs/CLUSTER.md: the hub on Redis. Compiled, not run: it needs a Redis on 6379. */
final class RedisSample {

    private RedisSample() {
    }

    static Hub clusteredHub() {
        // docs:begin redis
        SseEngine engine = SseEngine.builder()
                .closeEvent("done")
                .hubLog(RedisHubLog.connect(URI.create("redis://127.0.0.1:6379")))
                .build();
        Hub hub = engine.hub(); // the same Hub: publish, subscribe, presence
        // docs:end redis
        return hub;
    }
}
