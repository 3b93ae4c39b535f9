package dev.runnel.internal;

import dev.runnel.RequestContext;

import java.util.Map;
import java.util.TreeMap;

/** The route a request matched, told from its path and path parameters, for metrics and recordings. */
public final class RouteName {

    private RouteName() {
    }

    /**
     * The request's path with each path parameter's segment replaced by {@code {name}}:
     * {@code /sse/topic/news} with {@code name=news} is {@code /sse/topic/{name}}. A path without
     * parameters is itself. Names are tried in alphabetical order when two parameters share a value.
     */
    public static String of(RequestContext request) {
        Map<String, String> params = request.pathParams();
        if (params.isEmpty()) {
            return request.path();
        }
        Map<String, String> left = new TreeMap<>(params);
        String[] segments = request.path().split("/", -1);
        StringBuilder route = new StringBuilder(request.path().length());
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                route.append('/');
            }
            String name = null;
            for (Map.Entry<String, String> p : left.entrySet()) {
                if (p.getValue().equals(segments[i])) {
                    name = p.getKey();
                    break;
                }
            }
            if (name != null) {
                left.remove(name);
                route.append('{').append(name).append('}');
            } else {
                route.append(segments[i]);
            }
        }
        return route.toString();
    }
}
