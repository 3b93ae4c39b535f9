package dev.runnel.spring.boot;

import dev.runnel.BadRequestException;
import dev.runnel.ForbiddenException;
import dev.runnel.UnauthorizedException;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.transport.ErrorStatus;
import dev.runnel.transport.HttpPolicy;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers Runnel's request exceptions thrown by a handler method as the embedded server does:
 * {@link BadRequestException} with {@code 400}, {@link ForbiddenException} with {@code 403},
 * {@link UnauthorizedException} with {@code 401} and {@code WWW-Authenticate: Bearer},
 * {@link HubUnavailableException} (a publish while Redis is down) with {@code 503} and
 * {@code Retry-After: 1}, each with its one-line message. Last in order, so the application's own
 * advice wins.
 */
@ControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
final class RunnelErrorAdvice {

    @ExceptionHandler(BadRequestException.class)
    ResponseEntity<String> badRequest(BadRequestException e) {
        return answer(e);
    }

    @ExceptionHandler(ForbiddenException.class)
    ResponseEntity<String> forbidden(ForbiddenException e) {
        return answer(e);
    }

    @ExceptionHandler(UnauthorizedException.class)
    ResponseEntity<String> unauthorized(UnauthorizedException e) {
        return answer(e);
    }

    @ExceptionHandler(HubUnavailableException.class)
    ResponseEntity<String> hubUnavailable(HubUnavailableException e) {
        return answer(e);
    }

    /** Core's answer ({@link HttpPolicy}), translated to Spring's response. */
    private static ResponseEntity<String> answer(RuntimeException e) {
        ErrorStatus answer = HttpPolicy.errorFor(e);
        return ResponseEntity.status(answer.status())
                .contentType(MediaType.parseMediaType("text/plain;charset=UTF-8"))
                .headers(headers -> answer.headers().forEach(headers::set))
                .body(answer.body());
    }
}
