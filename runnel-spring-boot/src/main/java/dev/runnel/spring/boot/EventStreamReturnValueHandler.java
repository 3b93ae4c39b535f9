package dev.runnel.spring.boot;

import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.servlet.ServletSse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.filter.ShallowEtagHeaderFilter;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

import java.util.Objects;

/**
 * Lets a Spring MVC handler method return an {@link EventStream}: the stream is served by
 * {@link ServletSse}, on virtual threads, with the engine's whole lifecycle.
 *
 * <pre>{@code
 * @GetMapping("/sse/ticks")
 * EventStream ticks() {
 *     return EventStream.producer(out -> { ... });
 * }
 * }</pre>
 *
 * <p>The producer sees the request as it was when the method returned ({@code out.context()}, see
 * {@link RequestContexts#of}): headers, query, the authenticated principal, the route's
 * {@code {name}} variables as path parameters and the HTTP session's id. The response bypasses
 * Spring's async machinery ({@code WebAsyncManager}): there is no async dispatch, so the security
 * filter chain runs once per stream and no {@code spring.mvc.async.request-timeout} applies: a stream
 * lasts as long as its producer and its client. The first write waits until the request's filters
 * have returned (see {@code StreamStartGate}). Runnel's auto-configuration puts this handler ahead
 * of Spring's own, so it also works in a {@code @RestController}. Thread-safe.
 */
public final class EventStreamReturnValueHandler implements HandlerMethodReturnValueHandler {

    private final ServletSse sse;
    private final SessionStreams sessions;

    public EventStreamReturnValueHandler(ServletSse sse) {
        this(sse, null);
    }

    /** With {@code sessions}: a stream whose session ends while it is being opened is refused. */
    EventStreamReturnValueHandler(ServletSse sse, SessionStreams sessions) {
        this.sse = Objects.requireNonNull(sse, "sse");
        this.sessions = sessions;
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return EventStream.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer container,
                                  NativeWebRequest webRequest) {
        container.setRequestHandled(true);
        HttpServletRequest request = Objects.requireNonNull(webRequest.getNativeRequest(HttpServletRequest.class),
                "an EventStream needs a Servlet request");
        HttpServletResponse response = Objects.requireNonNull(webRequest.getNativeResponse(HttpServletResponse.class),
                "an EventStream needs a Servlet response");
        ShallowEtagHeaderFilter.disableContentCaching(request); // a cached body would never reach the client
        EventStream stream = (EventStream) returnValue; // null: the engine answers 500 and logs it
        Object gate = request.getAttribute(StreamStartGate.ATTRIBUTE);
        sse.serve(request, response, RequestContexts.of(request), req -> {
            StreamStartGate.await(gate);
            if (sessions != null && sessions.ended(req)) {
                throw new ForbiddenException("the session ended while the stream was being opened");
            }
            return stream;
        });
    }
}
