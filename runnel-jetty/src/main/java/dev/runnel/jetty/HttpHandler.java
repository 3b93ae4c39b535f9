package dev.runnel.jetty;

/**
 * Answers a plain request (a page, a form post) with a complete response. Runs on a virtual thread,
 * so blocking is fine. Throw {@link dev.runnel.BadRequestException} to answer {@code 400},
 * {@link dev.runnel.ForbiddenException} for {@code 403}; a {@link dev.runnel.hub.HubUnavailableException}
 * from a publish (the hub's Redis is down) answers {@code 503} with its one-line reason and
 * {@code Retry-After: 1}.
 */
@FunctionalInterface
public interface HttpHandler {

    HttpResponse handle(HttpRequest request) throws Exception;
}
