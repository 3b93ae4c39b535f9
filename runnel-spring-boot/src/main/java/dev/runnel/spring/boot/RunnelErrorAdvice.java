package dev.runnel.spring.boot;

import dev.runnel.BadRequestException;
import dev.runnel.ForbiddenException;
import dev.runnel.hub.HubUnavailableException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers Runnel's request exceptions thrown by a handler method as the embedded server does:
 * {@link BadRequestException} with {@code 400}, {@link ForbiddenException} with {@code 403},
 * {@link HubUnavailableException} (a publish while Redis is down) with {@code 503} and
 * {@code Retry-After: 1}, each with its one-line message. Last in order, so the application's own
 * advice wins.
 */
@ControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
final class RunnelErrorAdvice {

    @ExceptionHandler(BadRequestException.class)
    ResponseEntity<String> badRequest(BadRequestException e) {
        return oneLine(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(ForbiddenException.class)
    ResponseEntity<String> forbidden(ForbiddenException e) {
        return oneLine(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(HubUnavailableException.class)
    ResponseEntity<String> hubUnavailable(HubUnavailableException e) {
        ResponseEntity<String> answer = oneLine(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders()).header("Retry-After", "1").body(answer.getBody());
    }

    private static ResponseEntity<String> oneLine(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.parseMediaType("text/plain;charset=UTF-8")).body(message + "\n");
    }
}
