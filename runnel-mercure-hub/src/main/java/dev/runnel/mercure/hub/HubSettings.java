package dev.runnel.mercure.hub;

import dev.runnel.compress.Compression;
import dev.runnel.mercure.JwtAlgorithm;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The standalone hub's settings, from its command line and, for what the command line leaves out, the
 * reference hub's environment variables, so its users keep their configuration:
 * {@code MERCURE_PUBLISHER_JWT_KEY}, {@code MERCURE_PUBLISHER_JWT_ALG}, {@code MERCURE_SUBSCRIBER_JWT_KEY},
 * {@code MERCURE_SUBSCRIBER_JWT_ALG}, and in {@code MERCURE_EXTRA_DIRECTIVES} the directives
 * {@code anonymous}, {@code subscriptions}, {@code cors_origins}, {@code publish_origins},
 * {@code cookie_name} (and {@code publisher_jwt}/{@code subscriber_jwt}). Flags win over the environment.
 *
 * @param subscriberKey the subscribers' key; without one of its own, the publishers' key
 * @param compression the content codings subscriptions may be sent with ({@code --compression gzip,zstd});
 *     off by default
 */
public record HubSettings(String host, int port, boolean tls, URI redis, boolean anonymous, boolean subscriptions,
                          List<String> corsOrigins, List<String> publishOrigins, int history,
                          String publisherKey, JwtAlgorithm publisherAlgorithm,
                          String subscriberKey, JwtAlgorithm subscriberAlgorithm, String cookieName,
                          Compression compression) {

    /** The port when none is given: the one the reference hub's standalone binary listened on. */
    public static final int DEFAULT_PORT = 3000;
    /** Updates kept for reconnecting subscribers when {@code --history} is not given. */
    public static final int DEFAULT_HISTORY = 100_000;

    public HubSettings {
        corsOrigins = List.copyOf(corsOrigins);
        publishOrigins = List.copyOf(publishOrigins);
        Objects.requireNonNull(publisherKey, "publisherKey");
        compression = compression == null ? Compression.OFF : compression;
    }

    /** What {@code --help} prints. */
    public static final String USAGE = """
            usage: runnel hub [--port P] [--host H] [--tls] [--redis URI] [--anonymous] [--subscriptions]
                              [--cors-origins O...] [--publish-origins O...] [--history N]
                              [--publisher-jwt-key K] [--subscriber-jwt-key K] [--jwt-algorithm A]
                              [--publisher-jwt-algorithm A] [--subscriber-jwt-algorithm A] [--cookie-name N]
                              [--compression CODINGS]
              --compression gzip (or zstd,gzip with runnel-zstd on the class path: the server's order of
              preference) sends each subscription compressed when its client accepts one; default off.
              keys also come from MERCURE_PUBLISHER_JWT_KEY / _ALG and MERCURE_SUBSCRIBER_JWT_KEY / _ALG, and
              MERCURE_EXTRA_DIRECTIVES is read for anonymous, subscriptions, cors_origins, publish_origins and
              cookie_name; flags win. An RS or ES key is PEM text or the path of a PEM file.""";

    /**
     * Reads the settings.
     *
     * @param warnings told of each directive or setting that is read but has no effect here
     * @throws IllegalArgumentException for an unknown flag, a bad value, or no publisher key, saying which
     */
    public static HubSettings from(List<String> args, Map<String, String> env, Consumer<String> warnings) {
        Builder b = new Builder();
        // the environment first, so that flags override it
        for (Directives.Directive d : Directives.parse(env.get("MERCURE_EXTRA_DIRECTIVES"))) {
            b.directive(d, warnings);
        }
        b.publisherKey = orElse(env.get("MERCURE_PUBLISHER_JWT_KEY"), b.publisherKey);
        b.publisherAlg = orElse(env.get("MERCURE_PUBLISHER_JWT_ALG"), b.publisherAlg);
        b.subscriberKey = orElse(env.get("MERCURE_SUBSCRIBER_JWT_KEY"), b.subscriberKey);
        b.subscriberAlg = orElse(env.get("MERCURE_SUBSCRIBER_JWT_ALG"), b.subscriberAlg);
        b.flags(args);
        return b.build();
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static final class Builder {
        String host = "0.0.0.0";
        int port = DEFAULT_PORT;
        boolean tls;
        URI redis;
        boolean anonymous;
        boolean subscriptions;
        List<String> corsOrigins = List.of();
        List<String> publishOrigins = List.of();
        int history = DEFAULT_HISTORY;
        String publisherKey;
        String publisherAlg;
        String subscriberKey;
        String subscriberAlg;
        String cookieName = "mercureAuthorization";
        Compression compression = Compression.OFF;

        void directive(Directives.Directive d, Consumer<String> warnings) {
            String where = "MERCURE_EXTRA_DIRECTIVES line " + d.line() + ": ";
            switch (d.name()) {
                case "anonymous" -> anonymous = none(d, where);
                case "subscriptions" -> subscriptions = none(d, where);
                case "cors_origins" -> corsOrigins = some(d, where);
                case "publish_origins" -> publishOrigins = some(d, where);
                case "cookie_name" -> cookieName = one(d, where);
                case "publisher_jwt" -> {
                    List<String> a = keyAndAlgorithm(d, where);
                    publisherKey = a.get(0);
                    publisherAlg = a.size() > 1 ? a.get(1) : publisherAlg;
                }
                case "subscriber_jwt" -> {
                    List<String> a = keyAndAlgorithm(d, where);
                    subscriberKey = a.get(0);
                    subscriberAlg = a.size() > 1 ? a.get(1) : subscriberAlg;
                }
                case "transport_url", "transport" -> warnings.accept(where + d.name() + " is ignored: history is in memory, "
                        + "and --redis URI puts the hub on Redis for several nodes");
                default -> warnings.accept(where + "directive " + d.name() + " is ignored by Runnel's hub");
            }
        }

        private static boolean none(Directives.Directive d, String where) {
            if (!d.args().isEmpty()) {
                throw new IllegalArgumentException(where + d.name() + " takes no value, got " + d.args());
            }
            return true;
        }

        private static List<String> some(Directives.Directive d, String where) {
            if (d.args().isEmpty()) {
                throw new IllegalArgumentException(where + d.name() + " needs at least one origin");
            }
            return d.args();
        }

        private static String one(Directives.Directive d, String where) {
            if (d.args().size() != 1) {
                throw new IllegalArgumentException(where + d.name() + " takes one value, got " + d.args().size());
            }
            return d.args().get(0);
        }

        private static List<String> keyAndAlgorithm(Directives.Directive d, String where) {
            if (d.args().isEmpty() || d.args().size() > 2) {
                throw new IllegalArgumentException(where + d.name() + " takes a key and optionally an algorithm");
            }
            return d.args();
        }

        void flags(List<String> args) {
            for (int i = 0; i < args.size(); i++) {
                String flag = args.get(i);
                switch (flag) {
                    case "--port" -> port = number(flag, value(args, i++), 0, 65_535);
                    case "--host" -> host = value(args, i++);
                    case "--tls" -> tls = true;
                    case "--redis" -> redis = redisUri(value(args, i++));
                    case "--anonymous" -> anonymous = true;
                    case "--subscriptions" -> subscriptions = true;
                    case "--cors-origins" -> {
                        List<String> values = values(args, i, flag);
                        corsOrigins = values;
                        i += values.size();
                    }
                    case "--publish-origins" -> {
                        List<String> values = values(args, i, flag);
                        publishOrigins = values;
                        i += values.size();
                    }
                    case "--history" -> history = number(flag, value(args, i++), 1, 10_000_000);
                    case "--publisher-jwt-key" -> publisherKey = value(args, i++);
                    case "--subscriber-jwt-key" -> subscriberKey = value(args, i++);
                    case "--jwt-algorithm" -> {
                        publisherAlg = value(args, i++);
                        subscriberAlg = publisherAlg;
                    }
                    case "--publisher-jwt-algorithm" -> publisherAlg = value(args, i++);
                    case "--subscriber-jwt-algorithm" -> subscriberAlg = value(args, i++);
                    case "--cookie-name" -> cookieName = value(args, i++);
                    case "--compression" -> compression = compression(value(args, i++));
                    default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
                }
            }
        }

        private static String value(List<String> args, int at) {
            if (at + 1 >= args.size() || args.get(at + 1).startsWith("--")) {
                throw new IllegalArgumentException(args.get(at) + " needs a value");
            }
            return args.get(at + 1);
        }

        private static List<String> values(List<String> args, int at, String flag) {
            List<String> out = new ArrayList<>();
            for (int j = at + 1; j < args.size() && !args.get(j).startsWith("--"); j++) {
                out.add(args.get(j));
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs at least one origin");
            }
            return out;
        }

        private static int number(String flag, String text, int min, int max) {
            try {
                int n = Integer.parseInt(text);
                if (n < min || n > max) {
                    throw new IllegalArgumentException(flag + " must be from " + min + " to " + max + ", got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a number, got " + text);
            }
        }

        /** {@code gzip}, {@code zstd,gzip}, or {@code off}; a coding no module provides fails here, naming the module. */
        private static Compression compression(String text) {
            if (text.strip().equalsIgnoreCase("off")) {
                return Compression.OFF;
            }
            try {
                return Compression.of(java.util.Arrays.stream(text.split(",", -1)).map(String::strip).toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--compression " + text + ": " + e.getMessage(), e);
            }
        }

        private static URI redisUri(String text) {
            URI uri = URI.create(text);
            if (!List.of("redis", "rediss", "redis-sentinel").contains(String.valueOf(uri.getScheme()))) {
                throw new IllegalArgumentException("--redis must be a redis://, rediss:// or redis-sentinel:// URI, got " + text);
            }
            return uri;
        }

        HubSettings build() {
            if (publisherKey == null || publisherKey.isEmpty()) {
                throw new IllegalArgumentException("the hub needs the publishers' JWT key: give --publisher-jwt-key KEY or set "
                        + "MERCURE_PUBLISHER_JWT_KEY (and its algorithm with --jwt-algorithm or MERCURE_PUBLISHER_JWT_ALG, default HS256)");
            }
            JwtAlgorithm pubAlg = algorithm(publisherAlg, "publisher");
            JwtAlgorithm subAlg = subscriberAlg == null && subscriberKey == null ? pubAlg : algorithm(subscriberAlg, "subscriber");
            return new HubSettings(host, port, tls, redis, anonymous, subscriptions, corsOrigins, publishOrigins, history,
                    publisherKey, pubAlg, subscriberKey == null ? publisherKey : subscriberKey, subAlg, cookieName, compression);
        }

        private static JwtAlgorithm algorithm(String name, String who) {
            try {
                return JwtAlgorithm.parse(name == null ? "" : name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + who + " JWT algorithm: " + e.getMessage());
            }
        }
    }
}
