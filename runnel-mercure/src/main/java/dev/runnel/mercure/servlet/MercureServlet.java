package dev.runnel.mercure.servlet;

import dev.runnel.BadRequestException;
import dev.runnel.RequestContext;
import dev.runnel.SseHandler;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureResponse;
import dev.runnel.servlet.ServletSse;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Serves a {@link MercureHub} from a Servlet 6 container: {@code GET} {@value MercureHub#PATH}
 * subscribes (a stream served by {@link ServletSse}), {@code POST} publishes, {@code OPTIONS}
 * answers CORS preflights, and {@code GET} under {@value MercureHub#PATH}{@code /subscriptions} is
 * the active subscriptions API. It only translates: every rule is the hub's.
 *
 * <pre>{@code
 * ServletRegistration.Dynamic reg = servletContext.addServlet("mercure", new MercureServlet(ServletSse.of(engine), hub));
 * reg.setAsyncSupported(true);   // required: a subscription outlives service()
 * reg.addMapping(MercureServlet.MAPPINGS);
 * }</pre>
 *
 * <p>Register it with async support (and every filter in front of it) at both {@link #MAPPINGS}.
 * The request's path within the application decides what is asked, so the application may have a
 * context path. A publish body is read whole on the container thread, up to
 * {@link Builder#maxBodyBytes} ({@code 413} beyond). Nothing in front of it may read a publish's
 * form parameters ({@code getParameter}), or the body is gone. It does not own the
 * {@link ServletSse}: close that with the application.
 */
public final class MercureServlet extends HttpServlet {

    /** The mappings to register: the hub's path and everything under it. */
    public static final String[] MAPPINGS = {MercureHub.PATH, MercureHub.PATH + "/*"};

    /** The largest publish body read unless set: 1 MiB, as {@code RunnelServer}'s default. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    private static final String SUBSCRIPTIONS = MercureHub.PATH + "/subscriptions";

    private final transient ServletSse sse;
    private final transient MercureHub hub;
    private final int maxBodyBytes;
    private final transient BiFunction<HttpServletRequest, SseHandler, SseHandler> streams;

    /** Serves {@code hub}, its subscriptions through {@code sse}, with every default. */
    public MercureServlet(ServletSse sse, MercureHub hub) {
        this(builder(sse, hub));
    }

    private MercureServlet(Builder b) {
        this.sse = b.sse;
        this.hub = b.hub;
        this.maxBodyBytes = b.maxBodyBytes;
        this.streams = b.streams;
    }

    /** Settings for serving {@code hub}, its subscriptions through {@code sse}. */
    public static Builder builder(ServletSse sse, MercureHub hub) {
        return new Builder(sse, hub);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = rawPath(request);
        String method = request.getMethod();
        if (path.equals(MercureHub.PATH)) {
            switch (method) {
                case "GET" -> sse.serve(request, response, streams.apply(request, hub::subscribe));
                case "POST" -> publish(request, response);
                case "OPTIONS" -> answer(request, response, hub::preflight);
                default -> notAllowed(response, "GET, POST, OPTIONS");
            }
        } else if (path.equals(SUBSCRIPTIONS) || path.startsWith(SUBSCRIPTIONS + "/")) {
            switch (method) {
                case "GET" -> answer(request, response, hub::subscriptions);
                case "OPTIONS" -> answer(request, response, hub::preflight);
                default -> notAllowed(response, "GET, OPTIONS");
            }
        } else {
            send(response, MercureResponse.text(404, "no Mercure resource at " + clip(path) + "\n"));
        }
    }

    private void publish(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getContentLengthLong() > maxBodyBytes) {
            send(response, tooLarge());
            return;
        }
        byte[] body = readBounded(request.getInputStream(), maxBodyBytes);
        if (body == null) {
            send(response, tooLarge());
            return;
        }
        answer(request, response, context -> hub.publish(context, body));
    }

    private MercureResponse tooLarge() {
        return MercureResponse.text(413, "a publish body is at most " + maxBodyBytes + " bytes\n");
    }

    /** The body, or {@code null} once it passes {@code max} bytes. */
    private static byte[] readBounded(InputStream in, int max) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) != -1; ) {
            if (body.size() + n > max) {
                return null;
            }
            body.write(chunk, 0, n);
        }
        return body.toByteArray();
    }

    private static void answer(HttpServletRequest request, HttpServletResponse response,
                               java.util.function.Function<RequestContext, MercureResponse> hubAnswer) throws IOException {
        RequestContext context;
        try {
            context = ServletSse.context(request).withAttribute(RequestContext.RAW_PATH, rawPath(request));
        } catch (BadRequestException e) {
            send(response, MercureResponse.text(400, e.getMessage() + "\n"));
            return;
        }
        send(response, hubAnswer.apply(context));
    }

    private static void send(HttpServletResponse response, MercureResponse answer) throws IOException {
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        if (answer.contentType() == null) {
            return;
        }
        byte[] body = answer.bodyBytes();
        response.setContentType(answer.contentType());
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static void notAllowed(HttpServletResponse response, String allowed) throws IOException {
        send(response, MercureResponse.text(405, "allowed here: " + allowed + "\n").withHeader("Allow", allowed));
    }

    /** The path within the application as sent, percent-encoding kept. */
    private static String rawPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        String path = context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
        return path.isEmpty() ? "/" : path;
    }

    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Settings of a {@link MercureServlet}. Every one has a default. */
    public static final class Builder {
        private final ServletSse sse;
        private final MercureHub hub;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private BiFunction<HttpServletRequest, SseHandler, SseHandler> streams = (request, handler) -> handler;

        private Builder(ServletSse sse, MercureHub hub) {
            this.sse = Objects.requireNonNull(sse, "sse");
            this.hub = Objects.requireNonNull(hub, "hub");
        }

        /** The largest publish body read, in bytes (1 or more); larger ones get {@code 413}. Default 1 MiB. */
        public Builder maxBodyBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be 1 or more, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * Wraps the hub's subscribe handler for each request: for a framework whose filters still
         * write the response after the servlet returns, so the stream can wait for them
         * ({@code runnel-spring-boot} does). The wrapper runs on the container thread; the handler
         * it returns runs on the stream's.
         */
        public Builder streams(BiFunction<HttpServletRequest, SseHandler, SseHandler> wrapper) {
            this.streams = Objects.requireNonNull(wrapper, "wrapper");
            return this;
        }

        public MercureServlet build() {
            return new MercureServlet(this);
        }
    }
}
