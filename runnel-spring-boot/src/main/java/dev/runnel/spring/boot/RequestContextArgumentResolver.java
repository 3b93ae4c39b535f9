package dev.runnel.spring.boot;

import dev.runnel.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

import java.util.Objects;

/**
 * Gives a handler method the request's {@link RequestContext} ({@link RequestContexts#of}), the one
 * to pass to {@code hub.subscribe(request, topics)} so {@code TopicAccess} sees who is asking.
 */
final class RequestContextArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == RequestContext.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container, NativeWebRequest webRequest,
                                  WebDataBinderFactory binderFactory) {
        return RequestContexts.of(Objects.requireNonNull(webRequest.getNativeRequest(HttpServletRequest.class),
                "a RequestContext needs a Servlet request"));
    }
}
