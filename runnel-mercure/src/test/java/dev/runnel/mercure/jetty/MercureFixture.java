package dev.runnel.mercure.jetty;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.mercure.JwtVerifier;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.testkit.RawSseClient;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.UnaryOperator;

/**
 * A Mercure hub on a real {@code RunnelServer} on loopback, with tokens made by nimbus: what every
 * protocol test talks to over HTTP.
 */
final class MercureFixture implements AutoCloseable {

    static final String PUBLISHER_KEY = "publisher-key-for-tests-32-bytes-long!!";
    static final String SUBSCRIBER_KEY = "subscriber-key-for-tests-32-bytes-long!";

    final SseEngine engine;
    final RunnelServer server;
    final MercureHub hub;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private MercureFixture(SseEngine engine, MercureOptions options, UnaryOperator<RunnelServer.Builder> serverSettings) {
        this.engine = engine;
        this.hub = MercureHub.of(engine.hub(), options);
        this.server = serverSettings.apply(RunnelServer.builder()).port(0).engine(engine).build();
        MercureRoutes.mount(server, hub);
        server.start();
    }

    /** A hub with separate publisher and subscriber keys (HS256), changed by {@code configure}. */
    static MercureFixture start(UnaryOperator<MercureOptions.Builder> configure) {
        return start(SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)), configure);
    }

    static MercureFixture start(SseEngine.Builder engine, UnaryOperator<MercureOptions.Builder> configure) {
        return start(engine, configure, UnaryOperator.identity());
    }

    /** {@link #start(SseEngine.Builder, UnaryOperator)} on a server with settings of its own (a larger header cap, say). */
    static MercureFixture start(SseEngine.Builder engine, UnaryOperator<MercureOptions.Builder> configure,
                                UnaryOperator<RunnelServer.Builder> server) {
        MercureOptions.Builder options = MercureOptions.builder()
                .publisherJwt(JwtVerifier.of("HS256", PUBLISHER_KEY))
                .subscriberJwt(JwtVerifier.of("HS256", SUBSCRIBER_KEY));
        return new MercureFixture(engine.build(), configure.apply(options).build(), server);
    }

    @Override
    public void close() {
        server.stop();
    }

    // ---- tokens

    static String token(String key, Map<String, Object> mercure, Instant expires, Instant notBefore) {
        try {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
            if (mercure != null) {
                claims.claim("mercure", mercure);
            }
            if (expires != null) {
                claims.expirationTime(Date.from(expires));
            }
            if (notBefore != null) {
                claims.notBeforeTime(Date.from(notBefore));
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String publisher(String... selectors) {
        return token(PUBLISHER_KEY, Map.of("publish", List.of(selectors)), null, null);
    }

    static String subscriber(String... selectors) {
        return token(SUBSCRIBER_KEY, Map.of("subscribe", List.of(selectors)), null, null);
    }

    // ---- requests

    URI uri(String pathAndQuery) {
        return URI.create(server.uri() + pathAndQuery);
    }

    /** {@code /.well-known/mercure?} with the pairs (name, value, name, value...) form-encoded. */
    URI hubUri(String... pairs) {
        return uri(MercureHub.PATH + (pairs.length == 0 ? "" : "?" + form(pairs)));
    }

    static String form(String... pairs) {
        StringJoiner joined = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2) {
            joined.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return joined.toString();
    }

    /** POSTs a form to the hub with {@code Authorization: Bearer token} (none when {@code null}). */
    HttpResponse<String> publish(String token, String... pairs) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return post(headers, form(pairs));
    }

    HttpResponse<String> post(Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(hubUri()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::setHeader);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        headers.forEach(request::setHeader);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Opens a subscription with {@code headers}; the pairs are its query. A stream that opens (200)
     * also selects a probe topic of its own, and this returns once the hub counts it there: the
     * subscription then receives what is published next.
     */
    RawSseClient subscribe(Map<String, String> headers, String... pairs) throws Exception {
        String probe = "urn:test:probe:" + probes.incrementAndGet();
        String[] withProbe = java.util.Arrays.copyOf(pairs, pairs.length + 2);
        withProbe[pairs.length] = "topic";
        withProbe[pairs.length + 1] = probe;
        RawSseClient client = RawSseClient.get(hubUri(withProbe), headers);
        if (client.status() == 200) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (engine.hub().subscribers(probe) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the subscription never reached the hub");
                }
                Thread.sleep(2);
            }
        }
        return client;
    }

    /** Opens a subscription exactly as asked, without a probe topic, and returns at its response head. */
    RawSseClient subscribeAsIs(Map<String, String> headers, String... pairs) throws Exception {
        return RawSseClient.get(hubUri(pairs), headers);
    }

    private final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();

    /** Opens a subscription with {@code Authorization: Bearer token}. */
    RawSseClient subscribe(String token, String... pairs) throws Exception {
        return subscribe(token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), pairs);
    }

    /** Publishes with a publisher token for {@code *}; fails unless answered 200. Returns the id. */
    String publishOk(String... pairs) throws Exception {
        HttpResponse<String> response = publish(publisher("*"), pairs);
        if (response.statusCode() != 200) {
            throw new AssertionError("publish answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
