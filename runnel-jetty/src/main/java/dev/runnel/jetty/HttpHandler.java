package dev.runnel.jetty;

/**
 * Answers a plain request (a page, a form post) with a complete response. Runs on a virtual thread,
 * so blocking is fine. Throw {@link dev.runnel.BadRequestException} to answer {@code 400}.
 */
@FunctionalInterface
public interface HttpHandler {

    HttpResponse handle(HttpRequest request) throws Exception;
}
