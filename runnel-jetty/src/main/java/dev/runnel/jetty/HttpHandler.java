package dev.runnel.jetty;

/**
 * Answers a plain request (a page, a form post) with a complete response. Runs once the whole
 * request body is in, on a platform thread of Jetty's pool: blocking briefly (a publish, a query) is
 * fine, but a handler that blocks for long holds a pool thread while it does. Throw
 * {@link dev.runnel.BadRequestException} to answer {@code 400}, {@link dev.runnel.ForbiddenException}
 * for {@code 403}; a {@link dev.runnel.hub.HubUnavailableException} from a publish (the hub's Redis
 * is down) answers {@code 503} with its one-line reason and {@code Retry-After: 1}.
 */
@FunctionalInterface
public interface HttpHandler {

    HttpResponse handle(HttpRequest request) throws Exception;
}
