package dev.runnel;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the application knew about a request when it arrived: method, path, query, headers, peer
 * address, authenticated principal and attributes.
 *
 * <p>It is an immutable snapshot taken at connect time, so a producer can use it for the whole life
 * of a stream, long after the HTTP handler returned, and the identity it sees cannot change under
 * it. Header lookups ignore case.
 *
 * @param method HTTP method, upper case
 * @param path request path, without the query string
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2.0} and so on
 * @param query query parameters in order of appearance
 * @param headers request headers; keys compare case-insensitively
 * @param pathParams values of {@code {name}} segments of the matched route
 * @param remoteAddress the peer's address, or {@code null} when unknown
 * @param principal the authenticated user, or {@code null}
 * @param attributes application values attached when the request was accepted
 */
public record RequestContext(
        String method,
        String path,
        String protocol,
        Map<String, List<String>> query,
        Map<String, List<String>> headers,
        Map<String, String> pathParams,
        InetSocketAddress remoteAddress,
        Principal principal,
        Map<String, Object> attributes) {

    public RequestContext {
        method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        path = path == null ? "/" : path;
        protocol = protocol == null ? "HTTP/1.1" : protocol;
        query = copyLists(query, false);
        headers = copyLists(headers, true);
        pathParams = pathParams == null ? Map.of() : Map.copyOf(pathParams);
        attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /**
     * Attribute under which a server adapter puts the request's path as sent, percent-encoding kept
     * ({@code String}): for routes whose segments may hold an encoded {@code /}.
     */
    public static final String RAW_PATH = "runnel.rawPath";

    /** Attribute under which a server adapter puts the body of a POST that opens a stream ({@code byte[]}). */
    public static final String BODY = "runnel.body";

    /** The body of the request that opened the stream (a POST from {@code fetch}), as UTF-8 text; empty for GET. */
    public String body() {
        Object body = attributes.get(BODY);
        return body instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : "";
    }

    /** A context for {@code GET path} with nothing else; handy in tests. */
    public static RequestContext of(String path) {
        return new RequestContext("GET", path, null, null, null, null, null, null, null);
    }

    /** First value of the header, ignoring case of the name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }

    /** First value of the query parameter. */
    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }

    /** Value of the path parameter {@code {name}}; a programming error if the route has none. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("route has no path parameter {" + name + "}; it has " + pathParams.keySet());
        }
        return value;
    }

    /**
     * The query parameter as an int in {@code [min, max]}, or {@code fallback} when absent.
     *
     * @throws BadRequestException when present but not an integer, or out of range; the message
     *     names the parameter, the allowed range and the value received
     */
    public int queryInt(String name, int fallback, int min, int max) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        String text = raw.get().trim();
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BadRequestException(name + " must be an integer from " + min + " to " + max + ", got '" + clip(text) + "'");
        }
        if (value < min || value > max) {
            throw new BadRequestException(name + " must be from " + min + " to " + max + ", got " + value);
        }
        return (int) value;
    }

    /**
     * The id the client last saw: the {@code Last-Event-ID} header, else the {@code lastEventId}
     * query parameter (for the page that connects for the first time with an id it rendered).
     */
    public Optional<String> lastEventId() {
        Optional<String> fromHeader = header("Last-Event-ID");
        return fromHeader.isPresent() ? fromHeader : query("lastEventId");
    }

    /** An attribute set when the request was accepted. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> attribute(String name) {
        return Optional.ofNullable((T) attributes.get(name));
    }

    /** A copy with the given principal. */
    public RequestContext withPrincipal(Principal newPrincipal) {
        return new RequestContext(method, path, protocol, query, headers, pathParams, remoteAddress, newPrincipal, attributes);
    }

    /** A copy with one more attribute. */
    public RequestContext withAttribute(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(attributes);
        more.put(name, value);
        return new RequestContext(method, path, protocol, query, headers, pathParams, remoteAddress, principal, more);
    }

    /** A copy with the values of the matched route's path parameters. */
    public RequestContext withPathParams(Map<String, String> params) {
        return new RequestContext(method, path, protocol, query, headers, params, remoteAddress, principal, attributes);
    }

    /** True when the request came over HTTP/1.0 or HTTP/1.1. */
    public boolean isHttp1() {
        return protocol.startsWith("HTTP/1");
    }

    private static Map<String, List<String>> copyLists(Map<String, List<String>> source, boolean ignoreCase) {
        Map<String, List<String>> copy = ignoreCase ? new TreeMap<>(String.CASE_INSENSITIVE_ORDER) : new LinkedHashMap<>();
        if (source != null) {
            source.forEach((k, v) -> copy.merge(k, List.copyOf(v), (a, b) -> {
                var both = new java.util.ArrayList<>(a);
                both.addAll(b);
                return List.copyOf(both);
            }));
        }
        return java.util.Collections.unmodifiableMap(copy);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
