package dev.runnel.mercure.jetty;

import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureResponse;

import java.util.Objects;

/**
 * Mounts a {@link MercureHub} on a {@link RunnelServer} at {@value MercureHub#PATH}: {@code GET}
 * subscribes, {@code POST} publishes, {@code OPTIONS} answers CORS preflights, and {@code GET}
 * under {@code /.well-known/mercure/subscriptions} is the active subscriptions API. The routes only
 * translate: every rule is the hub's.
 *
 * <pre>{@code
 * RunnelServer server = RunnelServer.builder().engine(engine).build();
 * MercureRoutes.mount(server, MercureHub.of(engine.hub(), options));
 * server.start();
 * }</pre>
 */
public final class MercureRoutes {

    private MercureRoutes() {
    }

    /** Adds the hub's routes to {@code server}; returns it. */
    public static RunnelServer mount(RunnelServer server, MercureHub hub) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(hub, "hub");
        String subscriptions = MercureHub.PATH + "/subscriptions/**";
        server.sse(MercureHub.PATH, hub::subscribe);
        server.post(MercureHub.PATH, request -> http(hub.publish(request.context(), request.body())));
        server.options(MercureHub.PATH, request -> http(hub.preflight(request.context())));
        server.get(subscriptions, request -> http(hub.subscriptions(request.context())));
        server.options(subscriptions, request -> http(hub.preflight(request.context())));
        return server;
    }

    private static HttpResponse http(MercureResponse answer) {
        return new HttpResponse(answer.status(), answer.contentType(), answer.bodyBytes(), answer.headers());
    }
}
