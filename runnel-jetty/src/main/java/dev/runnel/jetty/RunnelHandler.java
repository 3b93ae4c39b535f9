package dev.runnel.jetty;

import dev.runnel.BadRequestException;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.transport.ErrorStatus;
import dev.runnel.transport.HttpPolicy;
import dev.runnel.transport.SocketWatcher;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The one Jetty handler of a {@link RunnelServer}: routes a request, reads its body, and answers it
 * or hands it to the engine as a stream.
 *
 * <p>Threads: a stream opens on a virtual thread of its own, which writes it to its end, except a
 * hub subscription: once it is open the engine's write loops write it and the thread ends; a short request (a publish, a page, a
 * file) on Jetty's pool of platform threads, because a virtual thread would queue behind every
 * stream writer the last fan-out woke. A request body is read between the two without a thread
 * ({@link BodyReader}); the request continues on its kind of thread once the body is in.
 *
 * <p>Completion: every path completes Jetty's {@link Callback} once, here with a response, or in the
 * engine's transport for a stream.
 *
 * <p>Memory: a body's bytes are reserved from the server's {@link BodyBudget} as they arrive, and
 * given back once: when the read fails, when a route's handler has returned (or thrown), or when the
 * request ends by any other path (its callback completes; for a stream opened with a body, when the
 * stream ends).
 */
final class RunnelHandler extends Handler.Abstract.NonBlocking {

    private static final System.Logger LOG = System.getLogger("dev.runnel.jetty");
    private static final byte[] NO_BODY = new byte[0];

    /** What the handler needs of its server's settings. */
    record Settings(SseEngine engine, UnaryOperator<RequestContext> before, String corsOrigin, Duration writeTimeout,
                    int maxBodyBytes, Duration bodyTimeout, long bodyBudgetBytes, AddressLimit perAddress,
                    TrustedProxies proxies) {
    }

    private final Routes routes;
    private final List<StaticFiles> statics;
    private final Settings settings;
    private final SocketWatcher watcher;
    private final BodyBudget bodyBudget;
    private final AtomicLong requestIds = new AtomicLong();

    /** {@code routes} and {@code statics} are the server's own, which may grow while it runs. */
    RunnelHandler(Routes routes, List<StaticFiles> statics, Settings settings, SocketWatcher watcher) {
        this.routes = routes;
        this.statics = statics;
        this.settings = settings;
        this.watcher = watcher;
        this.bodyBudget = new BodyBudget(settings.bodyBudgetBytes());
    }

    /** The bytes request bodies hold against the budget now. */
    long bodyBytesHeld() {
        return bodyBudget.used();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        InetAddress forwarded = settings.proxies().isEmpty() ? null
                : settings.proxies().client(peer(request), request.getHeaders().getValuesList("X-Forwarded-For"));
        if (forwarded == null) {
            return route(request, response, callback, null);
        }
        AddressLimit limit = settings.perAddress();
        if (!limit.acquire(forwarded)) {
            send(response, callback, HttpResponse.text(503, "too many connections from your address (at most " + limit.max() + ")")
                    .withHeader("Retry-After", "2"), false);
            return true;
        }
        Callback releasing = new Callback.Nested(callback) {
            private final AtomicBoolean released = new AtomicBoolean();

            @Override
            public void succeeded() {
                release();
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                release();
                super.failed(failure);
            }

            private void release() {
                if (released.compareAndSet(false, true)) {
                    limit.release(forwarded);
                }
            }
        };
        try {
            return route(request, response, releasing, forwarded);
        } catch (Throwable t) {
            releasing.failed(t);
            return true;
        }
    }

    /** The address of the connection's peer: the client, or the proxy in front of it. */
    private static InetAddress peer(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** Routes the request and runs it on its kind of thread ({@code forwarded}: the client a trusted proxy named, or null). */
    private boolean route(Request request, Response response, Callback callback, InetAddress forwarded) {
        long id = requestIds.incrementAndGet();
        List<String> allowed = new ArrayList<>();
        Optional<Routes.Match> match = routes.find(request.getMethod(), Request.getPathInContext(request), allowed);
        Executor runner = match.isPresent() && match.get().target() instanceof Routes.Sse
                ? task -> Thread.ofVirtual().name("runnel-stream-" + id).start(task)
                : getServer().getThreadPool();
        run(runner, callback, () -> dispatch(request, response, callback, runner, match, allowed, forwarded));
        return true;
    }

    /** Runs {@code task} on {@code runner}; a runner that refuses it (a pool that is stopping) fails the request. */
    private static void run(Executor runner, Callback callback, Runnable task) {
        try {
            runner.execute(task);
        } catch (Throwable t) {
            callback.failed(t);
        }
    }

    /** Answers the request with the route {@code handle} matched ({@code allowed}: the path's methods, for 405 and preflights). */
    private void dispatch(Request request, Response response, Callback callback, Executor runner,
                          Optional<Routes.Match> match, List<String> allowed, InetAddress forwarded) {
        try {
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            if (match.isEmpty()) {
                send(response, callback, unrouted(request, method, path, allowed), method.equals("HEAD"));
                return;
            }
            RequestContext context = settings.before().apply(context(request, forwarded).withPathParams(match.get().params()));
            Routes.Target target = match.get().target();
            if (target instanceof Routes.Sse && !method.equals("POST")) {
                answer(request, response, callback, target, context, NO_BODY, null);
                return;
            }
            BodyBudget.Reservation reservation = bodyBudget.reserve();
            Callback releasing = releasing(callback, reservation);
            try {
                withBody(request, response, releasing, runner, reservation,
                        body -> answer(request, response, releasing, target, context, body, reservation));
            } catch (Throwable t) {
                fail(request, response, releasing, t);
            }
        } catch (Throwable t) {
            fail(request, response, callback, t);
        }
    }

    /** A preflight, a static file, or the 404 or 405 for a request no route matched. */
    private HttpResponse unrouted(Request request, String method, String path, List<String> allowed) {
        if (method.equals("OPTIONS") && !allowed.isEmpty()) {
            return preflight(request, allowed);
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            for (StaticFiles files : statics) {
                HttpResponse file = files.find(path);
                if (file != null) {
                    return file;
                }
            }
        }
        return allowed.isEmpty()
                ? HttpResponse.text(404, "no route for " + clip(path))
                : HttpResponse.text(405, method + " not allowed on " + clip(path)).withHeader("Allow", String.join(", ", allowed));
    }

    /**
     * Reads the body, then calls {@code then} with it: at once on this thread when the body was
     * already in, else on a new task of {@code runner} when it has arrived. A body refused for its
     * size or its deadline is answered here.
     */
    private void withBody(Request request, Response response, Callback callback, Executor runner,
                          BodyBudget.Reservation reservation, Consumer<byte[]> then) {
        Thread caller = Thread.currentThread();
        AtomicBoolean reading = new AtomicBoolean(true);
        byte[][] ready = new byte[1][];
        BodyReader.read(request, reservation, settings.maxBodyBytes(), settings.bodyTimeout(), outcome -> {
            switch (outcome) {
                case BodyReader.Complete complete when reading.get() && Thread.currentThread() == caller -> ready[0] = complete.body();
                case BodyReader.Complete complete -> run(runner, callback, () -> then.accept(complete.body()));
                case BodyReader.Refused refused -> {
                    HttpResponse reply = HttpResponse.text(refused.status(), refused.reason());
                    if (refused.status() == 503) {
                        // no room in the body budget: the bodies holding it end within their deadline
                        reply = reply.withHeader("Retry-After", "1");
                    }
                    // the rest of the body is not read, so the connection cannot carry another request
                    send(response, callback, isHttp1(request) ? reply.withHeader("Connection", "close") : reply, false);
                }
                case BodyReader.Broken broken -> callback.failed(broken.failure());
            }
        });
        reading.set(false);
        if (ready[0] != null) {
            then.accept(ready[0]);
        }
    }

    /**
     * Runs the route's handler. A page's handler gives its body's bytes back when it returns or
     * throws; a stream keeps them until it ends ({@code callback} gives them back then).
     */
    private void answer(Request request, Response response, Callback callback, Routes.Target target, RequestContext context,
                        byte[] body, BodyBudget.Reservation reservation) {
        try {
            switch (target) {
                case Routes.Sse sse -> {
                    RequestContext withBody = request.getMethod().equals("POST") ? context.withAttribute(RequestContext.BODY, body) : context;
                    settings.engine().serve(new JettyTransport(request, response, callback, watcher, settings.writeTimeout()),
                            withBody, sse.handler());
                }
                case Routes.Http http -> {
                    HttpResponse reply;
                    try {
                        reply = http.handler().handle(new HttpRequest(context, body));
                    } finally {
                        if (reservation != null) {
                            reservation.release();
                        }
                    }
                    send(response, callback, reply, request.getMethod().equals("HEAD"));
                }
            }
        } catch (Throwable t) {
            fail(request, response, callback, t);
        }
    }

    /** {@code callback}, giving back what {@code reservation} holds when the request ends, before Jetty learns it did. */
    private static Callback releasing(Callback callback, BodyBudget.Reservation reservation) {
        return new Callback() {
            @Override
            public void succeeded() {
                try {
                    reservation.release();
                } finally {
                    callback.succeeded();
                }
            }

            @Override
            public void failed(Throwable failure) {
                try {
                    reservation.release();
                } finally {
                    callback.failed(failure);
                }
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    /**
     * Answers what a route, hook or handler threw as core's {@link HttpPolicy} says (400, 403, 503
     * with {@code Retry-After}, else 500); Jetty's own {@link BadMessageException} is a 400.
     */
    private static void fail(Request request, Response response, Callback callback, Throwable failure) {
        if (failure instanceof BadMessageException e) {
            send(response, callback, HttpResponse.text(400, "malformed request: " + e.getReason()), false);
            return;
        }
        ErrorStatus answer = HttpPolicy.errorFor(failure);
        switch (HttpPolicy.refusalFor(failure)) {
            case HUB_UNAVAILABLE -> // the hub's shared log (Redis) is down: say so, and when to try again
                    LOG.log(Level.WARNING, "request " + request.getHttpURI().getPath() + ": " + failure.getMessage());
            case HANDLER_ERROR -> {
                LOG.log(Level.ERROR, "request " + request.getHttpURI() + " failed", failure);
                if (response.isCommitted()) {
                    callback.failed(failure);
                    return;
                }
            }
            default -> {
            }
        }
        HttpResponse reply = HttpResponse.text(answer.status(), answer.message());
        for (var header : answer.headers().entrySet()) {
            reply = reply.withHeader(header.getKey(), header.getValue());
        }
        send(response, callback, reply, false);
    }

    /**
     * Answers a CORS preflight: allowed only for the configured origin, with the methods of the
     * path's routes and the headers the page asked for.
     */
    private HttpResponse preflight(Request request, List<String> methods) {
        String corsOrigin = settings.corsOrigin();
        String origin = request.getHeaders().get("Origin");
        if (corsOrigin == null || origin == null || !corsOrigin.equals(origin)) {
            return HttpResponse.text(403, "cross-origin requests from " + (origin == null ? "an unknown origin" : clip(origin))
                    + " are not allowed" + (corsOrigin == null ? " (no CORS origin is configured)" : ""));
        }
        String asked = request.getHeaders().get("Access-Control-Request-Headers");
        HttpResponse ok = new HttpResponse(204, null, null, null)
                .withHeader("Access-Control-Allow-Origin", corsOrigin)
                .withHeader("Access-Control-Allow-Methods", String.join(", ", new LinkedHashSet<>(methods)))
                .withHeader("Access-Control-Max-Age", "600")
                .withHeader("Vary", "Origin");
        if (asked != null && asked.matches("[A-Za-z0-9\\-, ]{1,500}")) {
            ok = ok.withHeader("Access-Control-Allow-Headers", asked);
        }
        return ok;
    }

    private static void send(Response response, Callback callback, HttpResponse reply, boolean headOnly) {
        response.setStatus(reply.status());
        if (reply.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        }
        reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        boolean bodiless = reply.status() == 204 || reply.status() == 304 || reply.status() < 200;
        if (!bodiless) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        }
        response.write(true, headOnly || bodiless ? ByteBuffer.allocate(0) : ByteBuffer.wrap(reply.body()), callback);
    }

    private static boolean isHttp1(Request request) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        return version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
    }

    private static RequestContext context(Request request, InetAddress forwarded) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw new BadRequestException("malformed query string: " + e.getMessage());
        }
        for (Fields.Field f : fields) {
            query.put(f.getName(), f.getValues());
        }
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return new RequestContext(request.getMethod(), Request.getPathInContext(request),
                request.getConnectionMetaData().getProtocol(), query, headers, Map.of(),
                forwarded != null ? new InetSocketAddress(forwarded, 0) : remote instanceof InetSocketAddress inet ? inet : null, null,
                Map.of(RequestContext.RAW_PATH, request.getHttpURI().getPath()));
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
