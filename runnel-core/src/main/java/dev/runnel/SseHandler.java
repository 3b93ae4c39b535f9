package dev.runnel;

/**
 * Answers one SSE request with the stream to send. Runs once per request, on a virtual thread.
 *
 * <p>Throw {@link BadRequestException} to answer {@code 400} with its message; any other exception
 * answers {@code 500} and is logged.
 */
@FunctionalInterface
public interface SseHandler {

    EventStream open(RequestContext request) throws Exception;
}
