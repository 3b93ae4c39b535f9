package dev.runnel.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The operations of one {@link RedisRoster} in Redis: {@code roster.lua}, run by its SHA-1 and sent
 * whole when Redis does not know it (first use, or a restart emptied its script cache). Every
 * operation is one atomic script on Redis's clock. Throws Lettuce's {@code RedisException} when Redis
 * cannot be reached.
 */
final class RosterScript {

    private static final String SCRIPT = RedisHubLog.resource("roster.lua");
    private static final String SHA = sha1(SCRIPT);

    private final StatefulRedisConnection<String, String> redis;
    private final String[] keys;

    /** The script for the roster whose keys start with {@code prefix}. */
    RosterScript(StatefulRedisConnection<String, String> redis, String prefix) {
        this.redis = redis;
        this.keys = new String[]{prefix};
    }

    /** An operation that answers a number. */
    long call(String op, String... args) {
        return (Long) eval(ScriptOutputType.INTEGER, op, args);
    }

    /** An operation that answers {@code type}. */
    <T> T eval(ScriptOutputType type, String op, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = op;
        System.arraycopy(args, 0, argv, 1, args.length);
        try {
            return redis.sync().evalsha(SHA, type, keys, argv);
        } catch (RedisNoScriptException e) {
            return redis.sync().eval(SCRIPT, type, keys, argv);
        }
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
