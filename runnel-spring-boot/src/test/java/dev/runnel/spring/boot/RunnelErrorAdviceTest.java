package dev.runnel.spring.boot;

import dev.runnel.BadRequestException;
import dev.runnel.ForbiddenException;
import dev.runnel.hub.HubUnavailableException;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** The advice answers Runnel's exceptions as the embedded server does. */
class RunnelErrorAdviceTest {

    private final RunnelErrorAdvice advice = new RunnelErrorAdvice();

    @Test
    void aPublishWhileTheHubIsDownIs503WithRetryAfterAndItsOneLine() {
        ResponseEntity<String> answer = advice.hubUnavailable(new HubUnavailableException(
                "cannot publish to topic news: Redis at 127.0.0.1:6379 is not reachable; nothing was published"));
        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(answer.getHeaders().getContentType()).hasToString("text/plain;charset=UTF-8");
        assertThat(answer.getBody()).isEqualTo("cannot publish to topic news: Redis at 127.0.0.1:6379 is not reachable; nothing was published\n");
    }

    @Test
    void badRequestAndForbiddenKeepTheirStatuses() {
        assertThat(advice.badRequest(new BadRequestException("no")).getStatusCode().value()).isEqualTo(400);
        assertThat(advice.forbidden(new ForbiddenException("no")).getStatusCode().value()).isEqualTo(403);
        assertThat(advice.forbidden(new ForbiddenException("no")).getHeaders().getFirst("Retry-After")).isNull();
    }

    @Test
    void unauthorizedIs401WithABearerChallenge() {
        ResponseEntity<String> answer = advice.unauthorized(new dev.runnel.UnauthorizedException("invalid token: expired"));
        assertThat(answer.getStatusCode().value()).isEqualTo(401);
        assertThat(answer.getHeaders().getFirst("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(answer.getBody()).isEqualTo("invalid token: expired\n");
    }
}
