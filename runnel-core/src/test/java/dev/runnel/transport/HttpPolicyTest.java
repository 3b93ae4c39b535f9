package dev.runnel.transport;

import dev.runnel.BadRequestException;
import dev.runnel.EngineMetrics.Refusal;
import dev.runnel.ForbiddenException;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.hub.HubUnavailableException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Runnel's HTTP answers and idle-timeout rule, the same for every server adapter. */
class HttpPolicyTest {

    @Test
    void aBadRequestIs400WithItsMessageAndNoRetryAfter() {
        ErrorStatus answer = HttpPolicy.errorFor(new BadRequestException("limit must be from 1 to 100, got 0"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).isEqualTo("limit must be from 1 to 100, got 0\n");
        assertThat(answer.headers()).isEmpty();
        assertThat(HttpPolicy.refusalFor(new BadRequestException("x"))).isEqualTo(Refusal.BAD_REQUEST);
    }

    @Test
    void aForbiddenRequestIs403WithItsMessageAndNoRetryAfter() {
        ErrorStatus answer = HttpPolicy.errorFor(new ForbiddenException("not allowed to subscribe to topic admin"));

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).isEqualTo("not allowed to subscribe to topic admin\n");
        assertThat(answer.headers()).isEmpty();
        assertThat(HttpPolicy.refusalFor(new ForbiddenException("x"))).isEqualTo(Refusal.FORBIDDEN);
    }

    @Test
    void anUnauthorizedRequestIs401WithItsMessageAndABearerChallenge() {
        ErrorStatus answer = HttpPolicy.errorFor(new dev.runnel.UnauthorizedException("the token expired\r\nX: y"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("the token expired  X: y\n");
        assertThat(answer.headers()).containsExactly(Map.entry("WWW-Authenticate", "Bearer"));
        assertThat(HttpPolicy.refusalFor(new dev.runnel.UnauthorizedException(null))).isEqualTo(Refusal.UNAUTHORIZED);
        assertThat(HttpPolicy.errorFor(new dev.runnel.UnauthorizedException(null)).body()).isEqualTo("unauthorized\n");
    }

    @Test
    void anUnavailableHubIs503WithItsMessageAndRetryAfterOneSecond() {
        ErrorStatus answer = HttpPolicy.errorFor(new HubUnavailableException("Redis at 127.0.0.1:6379 is not reachable"));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body()).isEqualTo("Redis at 127.0.0.1:6379 is not reachable\n");
        assertThat(answer.headers()).isEqualTo(Map.of("Retry-After", "1"));
        assertThat(HttpPolicy.refusalFor(new HubUnavailableException("x"))).isEqualTo(Refusal.HUB_UNAVAILABLE);
    }

    @Test
    void aSubclassOfHubUnavailableIsAnsweredAsItsParent() {
        class Down extends HubUnavailableException {
            Down() {
                super("down");
            }
        }
        assertThat(HttpPolicy.errorFor(new Down()).status()).isEqualTo(503);
    }

    @Test
    void anyOtherFailureIs500AndKeepsItsDetailsOutOfTheBody() {
        ErrorStatus runtime = HttpPolicy.errorFor(new IllegalStateException("password=hunter2 in the config"));
        ErrorStatus error = HttpPolicy.errorFor(new StackOverflowError());
        ErrorStatus checked = HttpPolicy.errorFor(new java.io.IOException("disk"));

        for (ErrorStatus answer : new ErrorStatus[] {runtime, error, checked}) {
            assertThat(answer.status()).isEqualTo(500);
            assertThat(answer.body()).isEqualTo("internal server error\n");
            assertThat(answer.headers()).isEmpty();
        }
        assertThat(HttpPolicy.refusalFor(new IllegalStateException())).isEqualTo(Refusal.HANDLER_ERROR);
    }

    @Test
    void aMessageWithLineBreaksAndControlCharactersBecomesOneLine() {
        ErrorStatus answer = HttpPolicy.errorFor(new BadRequestException("bad topic \"a\r\nX-Injected: 1\"\n\u0000end\u2028 é"));

        assertThat(answer.body()).isEqualTo("bad topic \"a  X-Injected: 1\"  end  é\n");
        assertThat(answer.body().chars().filter(c -> c == '\n' || c == '\r').count()).isEqualTo(1);
    }

    @Test
    void anExceptionWithoutAMessageIsAnsweredWithItsStatusName() {
        assertThat(HttpPolicy.errorFor(new BadRequestException(null)).body()).isEqualTo("bad request\n");
        assertThat(HttpPolicy.errorFor(new ForbiddenException(null)).body()).isEqualTo("forbidden\n");
        assertThat(HttpPolicy.errorFor(new HubUnavailableException(null)).status()).isEqualTo(503);
    }

    @Test
    void refusalsThatPassTellTheClientWhenToComeBack() {
        assertThat(HttpPolicy.refused(Refusal.SHUTTING_DOWN, "stopping").headers()).isEqualTo(Map.of("Retry-After", "1"));
        assertThat(HttpPolicy.refused(Refusal.OVER_LIMIT, "full").headers()).isEqualTo(Map.of("Retry-After", "2"));
        assertThat(HttpPolicy.refused(Refusal.OVER_LIMIT, "full").status()).isEqualTo(503);
        assertThat(HttpPolicy.refused(Refusal.NOT_ACCEPTABLE, "sse only").headers()).isEmpty();
        assertThat(HttpPolicy.refused(Refusal.NOT_ACCEPTABLE, "sse only").status()).isEqualTo(406);
    }

    @Test
    void anErrorStatusIsAnErrorWithWholeSecondsToWait() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ErrorStatus(200, "fine", null));
        assertThatIllegalArgumentException().isThrownBy(() -> new ErrorStatus(503, "soon", Duration.ofMillis(1500)));
    }

    @Test
    void aStreamsConnectionStaysOpenPastItsHeartbeatWithAMargin() {
        // the default 15 s heartbeat within Jetty's default 30 s: nothing to raise
        assertThat(HttpPolicy.streamIdleTimeoutMillis(30_000, Duration.ofSeconds(15))).isEqualTo(30_000);
        // a short timeout is raised to the heartbeat and at least 5 s more
        assertThat(HttpPolicy.streamIdleTimeoutMillis(10_000, Duration.ofSeconds(2))).isEqualTo(10_000);
        assertThat(HttpPolicy.streamIdleTimeoutMillis(3_000, Duration.ofSeconds(2))).isEqualTo(7_000);
        assertThat(HttpPolicy.streamIdleTimeoutMillis(10_000, Duration.ofSeconds(15))).isEqualTo(22_500);
        // a long heartbeat gets half of itself more
        assertThat(HttpPolicy.streamIdleTimeoutMillis(30_000, Duration.ofSeconds(60))).isEqualTo(90_000);
        // no idle timeout at all stays none
        assertThat(HttpPolicy.streamIdleTimeoutMillis(0, Duration.ofSeconds(60))).isZero();
        assertThat(HttpPolicy.streamIdleTimeoutMillis(-1, Duration.ofSeconds(60))).isEqualTo(-1);
    }

    @Test
    void theEngineAnswersAHandlersFailureAsThePolicySays() {
        try (SseEngine engine = SseEngine.builder().build()) {
            Recorded unavailable = new Recorded();
            engine.serve(unavailable, RequestContext.of("/s"), r -> {
                throw new HubUnavailableException("Redis down\r\nSet-Cookie: x=1");
            });
            assertThat(unavailable.status).isEqualTo(503);
            assertThat(unavailable.headers).containsEntry("Retry-After", "1").containsEntry("Content-Type", HttpPolicy.TEXT_PLAIN);
            assertThat(unavailable.body.toString(UTF_8)).isEqualTo("Redis down  Set-Cookie: x=1\n");

            Recorded unauthorized = new Recorded();
            engine.serve(unauthorized, RequestContext.of("/s"), r -> {
                throw new dev.runnel.UnauthorizedException("no token");
            });
            assertThat(unauthorized.status).isEqualTo(401);
            assertThat(unauthorized.headers).containsEntry("WWW-Authenticate", "Bearer");
            assertThat(unauthorized.body.toString(UTF_8)).isEqualTo("no token\n");

            Recorded broken = new Recorded();
            engine.serve(broken, RequestContext.of("/s"), r -> {
                throw new IllegalStateException("secret detail");
            });
            assertThat(broken.status).isEqualTo(500);
            assertThat(broken.headers).doesNotContainKey("Retry-After");
            assertThat(broken.body.toString(UTF_8)).isEqualTo("internal server error\n");
        }
    }

    /** Keeps the status, headers and body of one response. */
    private static final class Recorded implements SseTransport {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        @Override
        public boolean isHttp1() {
            return true;
        }

        @Override
        public void start(int code, Map<String, String> fields) {
            status = code;
            headers.putAll(fields);
        }

        @Override
        public void write(ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            body.writeBytes(b);
        }

        @Override
        public void complete() {
        }

        @Override
        public void abort(Throwable cause) {
        }

        @Override
        public void onDisconnect(Runnable listener) {
        }
    }
}
