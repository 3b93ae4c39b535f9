package dev.runnel.servlet.internal;

import dev.runnel.BadRequestException;
import dev.runnel.RequestContext;

import jakarta.servlet.http.HttpServletRequest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Takes the {@link RequestContext} snapshot of a servlet request. */
public final class RequestSnapshot {

    private RequestSnapshot() {
    }

    /**
     * The request as a context. The query comes from the query string alone, so a form body is never
     * read; the path is the one within the application.
     *
     * @throws BadRequestException when the query string is malformed
     */
    public static RequestContext of(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return new RequestContext(request.getMethod(), path(request), request.getProtocol(),
                query(request.getQueryString()), headers, Map.of(), remote(request),
                request.getUserPrincipal(), Map.of());
    }

    private static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        return path.isEmpty() ? "/" : path;
    }

    /** Parameters of a query string, in order; {@code +} is a space. */
    static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("malformed query string: " + e.getMessage());
        }
    }

    private static InetSocketAddress remote(HttpServletRequest request) {
        return remote(request.getRemoteAddr(), request.getRemotePort());
    }

    /**
     * The peer as an address, never looked up: {@code null} unless {@code address} is an IP literal.
     * A name is possible when a forwarded-header filter puts a client's {@code X-Forwarded-For} into
     * {@code getRemoteAddr()}, and looking it up would let a client choose what the server resolves.
     * A port outside 0-65535 (unknown to the container or the filter) becomes 0.
     */
    static InetSocketAddress remote(String address, int port) {
        InetAddress literal = IpLiteral.parse(address);
        if (literal == null) {
            return null;
        }
        return new InetSocketAddress(literal, port >= 0 && port <= 0xFFFF ? port : 0);
    }
}
