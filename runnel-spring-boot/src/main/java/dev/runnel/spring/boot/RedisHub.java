package dev.runnel.spring.boot;

import dev.runnel.hub.HubLog;
import org.springframework.util.ClassUtils;

import java.net.URI;

/** Connects the hub's log for {@code runnel.hub.redis-uri}; touches runnel-redis only when it is there. */
final class RedisHub {

    static final String REDIS_HUB_LOG = "dev.runnel.redis.RedisHubLog";

    private RedisHub() {
    }

    static HubLog connect(URI uri, ClassLoader loader) {
        if (!ClassUtils.isPresent(REDIS_HUB_LOG, loader)) {
            throw new IllegalStateException("runnel.hub.redis-uri is set, but runnel-redis is not on the class path: "
                    + "add the dependency dev.runnel:runnel-redis, or remove runnel.hub.redis-uri to keep the hub in memory");
        }
        return dev.runnel.redis.RedisHubLog.connect(uri);
    }
}
