package dev.runnel.example;

/**
 * Command-line options of the demo server.
 *
 * @param host address to bind
 * @param port port to listen on (0 for any free one)
 * @param debug debug mode for the whole server: render and producer errors show details
 * @param publishToken when set, publishing needs {@code Authorization: Bearer TOKEN}; {@code null} for none
 * @param tls serve HTTPS (and HTTP/2 for browsers) with a development certificate
 * @param maxStreamAgeSeconds end every stream after about this many seconds (0: never)
 * @param redis run the hub on this Redis, as one node of a cluster; {@code null} for in memory
 * @param warmUp run {@link dev.runnel.jetty.WarmUp} before listening, so the first broadcasts are as fast
 *     as later ones ({@link DemoServer#main} does; {@link DemoServer#create} leaves it to the caller)
 */
public record DemoOptions(String host, int port, boolean debug, String publishToken, boolean tls, int maxStreamAgeSeconds,
                          java.net.URI redis, boolean warmUp) {

    static final String USAGE = "usage: runnel demo [--host H] [--port P] [--debug] [--publish-token T] [--tls] [--max-stream-age S]"
            + " [--redis redis://HOST:PORT] [--no-warm-up]";

    public DemoOptions {
        if (publishToken != null && (publishToken.isBlank() || !publishToken.chars().allMatch(c -> c > 32 && c < 127))) {
            throw new IllegalArgumentException("--publish-token must be printable ASCII without spaces\n" + USAGE);
        }
    }

    /** Options with the hub in memory. */
    public DemoOptions(String host, int port, boolean debug, String publishToken, boolean tls, int maxStreamAgeSeconds) {
        this(host, port, debug, publishToken, tls, maxStreamAgeSeconds, null, true);
    }

    /** Options without a publish token, TLS, stream age or Redis. */
    public DemoOptions(String host, int port, boolean debug) {
        this(host, port, debug, null, false, 0, null, true);
    }

    /** A copy with a publish token. */
    public DemoOptions withPublishToken(String token) {
        return new DemoOptions(host, port, debug, token, tls, maxStreamAgeSeconds, redis, warmUp);
    }

    /** A copy with a maximum stream age. */
    public DemoOptions withMaxStreamAge(int seconds) {
        return new DemoOptions(host, port, debug, publishToken, tls, seconds, redis, warmUp);
    }

    /** A copy whose hub runs on Redis at {@code uri}. */
    public DemoOptions withRedis(java.net.URI uri) {
        return new DemoOptions(host, port, debug, publishToken, tls, maxStreamAgeSeconds, uri, warmUp);
    }

    /** A copy that warms up before listening, or not. */
    public DemoOptions withWarmUp(boolean on) {
        return new DemoOptions(host, port, debug, publishToken, tls, maxStreamAgeSeconds, redis, on);
    }

    /** Loopback, port 8080, production mode. */
    public static DemoOptions defaults() {
        return new DemoOptions("127.0.0.1", 8080, false);
    }

    /** True when the server binds a loopback address only. */
    public boolean loopbackOnly() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    /**
     * @throws IllegalArgumentException when the server would accept publishes from other machines
     *     without a token
     */
    public DemoOptions requireSafePublishing() {
        if (!loopbackOnly() && publishToken == null) {
            throw new IllegalArgumentException("refusing to start: --host " + host + " is reachable from other machines, "
                    + "so publishing needs --publish-token T (clients then send Authorization: Bearer T)\n" + USAGE);
        }
        return this;
    }

    /**
     * Parses {@code --host H}, {@code --port P}, {@code --debug} and the other options of {@link #USAGE}.
     *
     * @throws IllegalArgumentException naming the bad argument, with the usage line
     */
    public static DemoOptions parse(String... args) {
        String host = "127.0.0.1";
        int port = 8080;
        boolean debug = false;
        String token = null;
        boolean tls = false;
        int maxAge = 0;
        java.net.URI redis = null;
        boolean warmUp = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i, "--host");
                case "--port" -> {
                    String raw = value(args, ++i, "--port");
                    try {
                        port = Integer.parseInt(raw);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + raw + "'\n" + USAGE);
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port must be from 0 to 65535, got " + port + "\n" + USAGE);
                    }
                }
                case "--debug" -> debug = true;
                case "--publish-token" -> token = value(args, ++i, "--publish-token");
                case "--tls" -> tls = true;
                case "--max-stream-age" -> {
                    String raw = value(args, ++i, "--max-stream-age");
                    try {
                        maxAge = Integer.parseInt(raw);
                    } catch (NumberFormatException e) {
                        maxAge = -1;
                    }
                    if (maxAge < 1 || maxAge > 86_400) {
                        throw new IllegalArgumentException("--max-stream-age must be 1 to 86400 seconds, got '" + raw + "'\n" + USAGE);
                    }
                }
                case "--redis" -> {
                    String raw = value(args, ++i, "--redis");
                    try {
                        redis = new java.net.URI(raw);
                    } catch (java.net.URISyntaxException e) {
                        redis = null;
                    }
                    if (redis == null || redis.getScheme() == null || !redis.getScheme().matches("rediss?|redis-sentinel") || redis.getHost() == null) {
                        throw new IllegalArgumentException("--redis must be a URI like redis://127.0.0.1:6379, got '" + raw + "'\n" + USAGE);
                    }
                }
                case "--no-warm-up" -> warmUp = false;
                case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        return new DemoOptions(host, port, debug, token, tls, maxAge, redis, warmUp);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
