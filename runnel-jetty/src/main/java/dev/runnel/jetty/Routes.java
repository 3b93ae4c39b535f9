package dev.runnel.jetty;

import dev.runnel.SseHandler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Exact paths, {@code {name}} segments and a final {@code **} (any rest of the path, even none), matched
 * in the order they were added.
 */
final class Routes {

    /** What a route does: stream events, or answer once. */
    sealed interface Target permits Sse, Http {
    }

    record Sse(SseHandler handler) implements Target {
    }

    record Http(HttpHandler handler) implements Target {
    }

    record Route(String method, String pattern, String[] segments, Target target) {
    }

    record Match(Target target, Map<String, String> params) {
    }

    private final List<Route> routes = new CopyOnWriteArrayList<>();

    void add(String method, String pattern, Target target) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', got \"" + pattern + '"');
        }
        routes.add(new Route(method, pattern, split(pattern), target));
    }

    /** The route for the request; empty when none matches the path. {@code allowed} collects methods of path matches. */
    Optional<Match> find(String method, String path, List<String> allowed) {
        String[] parts = split(path);
        for (Route route : routes) {
            Map<String, String> params = match(route.segments(), parts);
            if (params == null) {
                continue;
            }
            boolean head = method.equals("HEAD") && route.method().equals("GET") && route.target() instanceof Http;
            if (route.method().equals(method) || head) {
                return Optional.of(new Match(route.target(), params));
            }
            allowed.add(route.method());
        }
        return Optional.empty();
    }

    private static Map<String, String> match(String[] pattern, String[] parts) {
        boolean rest = pattern.length > 0 && pattern[pattern.length - 1].equals("**");
        int fixed = rest ? pattern.length - 1 : pattern.length;
        if (rest ? parts.length < fixed : pattern.length != parts.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < fixed; i++) {
            String p = pattern[i];
            if (p.length() > 2 && p.startsWith("{") && p.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String[] split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            out.add(s);
        }
        if (out.size() > 1 && out.get(0).isEmpty()) {
            out.remove(0);
        }
        return out.toArray(String[]::new);
    }
}
