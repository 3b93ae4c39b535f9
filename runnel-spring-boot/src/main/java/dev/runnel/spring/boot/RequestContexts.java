package dev.runnel.spring.boot;

import dev.runnel.RequestContext;
import dev.runnel.servlet.ServletSse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.web.servlet.HandlerMapping;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link RequestContext} of a Spring MVC request: {@link ServletSse#context}'s snapshot (the
 * principal is the authenticated user, Spring Security's {@code Authentication} when it is in
 * front), the route's {@code {name}} variables as path parameters, and the id of the request's HTTP
 * session, if it has one, as attribute {@link #SESSION_ID}.
 */
public final class RequestContexts {

    /** Attribute holding the HTTP session id the stream was opened in; its streams end when the session does. */
    public static final String SESSION_ID = "runnel.session-id";

    private RequestContexts() {
    }

    /** The request's context, as a controller's stream sees it. */
    public static RequestContext of(HttpServletRequest request) {
        RequestContext context = ServletSse.context(request);
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
            Map<String, String> params = new LinkedHashMap<>();
            variables.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            context = context.withPathParams(params);
        }
        HttpSession session = request.getSession(false);
        if (session != null) {
            try {
                context = context.withAttribute(SESSION_ID, session.getId());
            } catch (IllegalStateException invalidated) {
                // the session ended during this request: the stream belongs to no session
            }
        }
        return context;
    }
}
