package dev.runnel.servlet;

import dev.runnel.SseEngine;
import dev.runnel.SseHandler;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Objects;

/**
 * A servlet that answers {@code GET} with one Runnel stream; other methods get {@code 405}.
 *
 * <pre>{@code
 * var servlet = new RunnelServlet(SseEngine.builder().build(), req -> EventStream.of("hello"));
 * ServletRegistration.Dynamic reg = servletContext.addServlet("ticks", servlet);
 * reg.setAsyncSupported(true);   // required: the stream outlives service()
 * reg.addMapping("/sse/ticks");
 * }</pre>
 *
 * <p>Each request's stream runs on virtual threads and the container thread returns at once (see
 * {@link ServletSse}). Register it with async support, and every filter in front of it too.
 * Created with an engine, it owns its {@link ServletSse} and closes it in {@link #destroy()}; the
 * engine itself is the application's to shut down.
 */
public final class RunnelServlet extends HttpServlet {

    private final transient ServletSse sse;
    private final transient SseHandler handler;
    private final boolean ownsSse;

    /** Serves {@code handler}'s streams through {@code engine}. */
    public RunnelServlet(SseEngine engine, SseHandler handler) {
        this(ServletSse.of(engine), handler, true);
    }

    /** Serves {@code handler}'s streams through a {@link ServletSse} shared with other servlets. */
    public RunnelServlet(ServletSse sse, SseHandler handler) {
        this(sse, handler, false);
    }

    private RunnelServlet(ServletSse sse, SseHandler handler, boolean ownsSse) {
        this.sse = Objects.requireNonNull(sse, "sse");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.ownsSse = ownsSse;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        sse.serve(request, response, handler);
    }

    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Allow", "GET");
        response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "HEAD not allowed on an event stream");
    }

    @Override
    public void destroy() {
        if (ownsSse) {
            sse.close();
        }
    }
}
