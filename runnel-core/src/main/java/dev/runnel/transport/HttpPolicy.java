package dev.runnel.transport;

import dev.runnel.BadRequestException;
import dev.runnel.EngineMetrics.Refusal;
import dev.runnel.ForbiddenException;
import dev.runnel.UnauthorizedException;
import dev.runnel.hub.HubUnavailableException;

import java.time.Duration;
import java.util.Objects;

/**
 * Runnel's HTTP rules, written once for every server adapter: which status (and {@code Retry-After})
 * answers an exception or a refused stream, and how long a stream's connection may stay idle. The
 * engine, {@code runnel-jetty}, {@code runnel-servlet} and {@code runnel-spring-boot} all ask here and
 * only translate the answer to their server's API, so a request gets the same answer on each.
 *
 * <table>
 *   <caption>Exceptions</caption>
 *   <tr><th>thrown</th><th>answer</th></tr>
 *   <tr><td>{@link BadRequestException}</td><td>{@code 400}, its message</td></tr>
 *   <tr><td>{@link ForbiddenException}</td><td>{@code 403}, its message</td></tr>
 *   <tr><td>{@link UnauthorizedException}</td><td>{@code 401}, its message, {@code WWW-Authenticate: Bearer}</td></tr>
 *   <tr><td>{@link HubUnavailableException}</td><td>{@code 503}, its message, {@code Retry-After: 1}</td></tr>
 *   <tr><td>anything else</td><td>{@code 500}, {@code internal server error} (the details stay in the log)</td></tr>
 * </table>
 */
public final class HttpPolicy {

    /** The content type of every {@link ErrorStatus} body. */
    public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    /** A stream's connection may stay idle this much longer than its heartbeat interval, at least. */
    private static final Duration MIN_IDLE_MARGIN = Duration.ofSeconds(5);

    private HttpPolicy() {
    }

    /** The answer to {@code failure}, thrown by a handler, a route or a publish; see the table above. */
    public static ErrorStatus errorFor(Throwable failure) {
        Refusal reason = refusalFor(failure);
        String message = reason == Refusal.HANDLER_ERROR || failure.getMessage() == null
                ? defaultMessage(reason) : failure.getMessage();
        return refused(reason, message);
    }

    /**
     * Why {@code failure} refuses a request, as metrics count it: {@link Refusal#BAD_REQUEST},
     * {@link Refusal#FORBIDDEN}, {@link Refusal#UNAUTHORIZED}, {@link Refusal#HUB_UNAVAILABLE} or, for anything else,
     * {@link Refusal#HANDLER_ERROR}.
     */
    public static Refusal refusalFor(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        return switch (failure) {
            case BadRequestException e -> Refusal.BAD_REQUEST;
            case ForbiddenException e -> Refusal.FORBIDDEN;
            case UnauthorizedException e -> Refusal.UNAUTHORIZED;
            case HubUnavailableException e -> Refusal.HUB_UNAVAILABLE;
            default -> Refusal.HANDLER_ERROR;
        };
    }

    /**
     * The answer to a refused request: the refusal's status, {@code message}, and {@code Retry-After}
     * for the refusals that pass: 1 s while shutting down or while the hub is unavailable, 2 s over
     * the stream limit.
     */
    public static ErrorStatus refused(Refusal reason, String message) {
        Duration retryAfter = switch (reason) {
            case SHUTTING_DOWN, HUB_UNAVAILABLE -> Duration.ofSeconds(1);
            case OVER_LIMIT -> Duration.ofSeconds(2);
            case NOT_ACCEPTABLE, BAD_REQUEST, FORBIDDEN, UNAUTHORIZED, HANDLER_ERROR -> null;
        };
        return new ErrorStatus(reason.status(), message, retryAfter);
    }

    /**
     * The idle timeout, in milliseconds, a connection needs while it carries a stream with this
     * heartbeat: {@code currentMillis} when it has none ({@code 0} or less) or it is long enough,
     * else the heartbeat plus half of it, and at least 5 s more. A quiet but healthy stream is then
     * never closed between two heartbeats. A transport that raises it gives the connection back
     * {@code currentMillis} when the stream ends.
     */
    public static long streamIdleTimeoutMillis(long currentMillis, Duration heartbeat) {
        long beat = heartbeat.toMillis();
        long needed = beat + Math.max(MIN_IDLE_MARGIN.toMillis(), beat / 2);
        return currentMillis > 0 && currentMillis < needed ? needed : currentMillis;
    }

    private static String defaultMessage(Refusal reason) {
        return switch (reason) {
            case BAD_REQUEST -> "bad request";
            case FORBIDDEN -> "forbidden";
            case UNAUTHORIZED -> "unauthorized";
            case HUB_UNAVAILABLE -> "the hub is unavailable; try again shortly";
            default -> "internal server error";
        };
    }
}
