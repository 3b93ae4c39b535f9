package dev.runnel.servlet;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.RawSseClient;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behind a forwarded-header filter (Spring's {@code ForwardedHeaderFilter}, Tomcat's
 * {@code RemoteIpValve}) {@code getRemoteAddr()} is what the client sent: the stream's peer address
 * is read from it as an IP literal, and a name in it is never looked up.
 */
class ForwardedAddressTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @ParameterizedTest
    @EnumSource(Container.class)
    void aForwardedNameIsNeverLookedUpAndAForwardedLiteralIsThePeer(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().build();
        try (Container.Running running = container.start(engine, new ForwardingServlet(ServletSse.of(engine)), Container.Options.DEFAULTS)) {
            URI uri = running.uri("");

            assertThat(peerSeenFor(uri, "attacker.example")).isEqualTo("null");
            assertThat(RecordingResolverProvider.lookedUp()).doesNotContain("attacker.example");
            assertThat(peerSeenFor(uri, "203.0.113.9")).isEqualTo("/203.0.113.9:0");
            assertThat(peerSeenFor(uri, "[2001:db8::9]")).isEqualTo("/[2001:db8:0:0:0:0:0:9]:0");
        }
    }

    private static String peerSeenFor(URI uri, String forwardedFor) throws Exception {
        try (RawSseClient client = RawSseClient.get(uri, Map.of("X-Forwarded-For", forwardedFor))) {
            assertThat(client.status()).isEqualTo(200);
            String body = client.readToEnd(WAIT);
            assertThat(body).startsWith("data: ").endsWith("\n\n");
            return body.substring("data: ".length(), body.length() - 2);
        }
    }

    /**
     * Puts {@code X-Forwarded-For} in {@code getRemoteAddr()}, as a forwarded-header filter does, and
     * streams the peer seen. Closes its {@link ServletSse} when the container destroys it.
     */
    private static final class ForwardingServlet extends HttpServlet {
        private final transient ServletSse sse;

        ForwardingServlet(ServletSse sse) {
            this.sse = sse;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            HttpServletRequest forwarded = new HttpServletRequestWrapper(request) {
                @Override
                public String getRemoteAddr() {
                    return request.getHeader("X-Forwarded-For");
                }

                @Override
                public int getRemotePort() {
                    return 0;
                }
            };
            sse.serve(forwarded, response, req -> EventStream.of(String.valueOf(req.remoteAddress())));
        }

        @Override
        public void destroy() {
            sse.close();
        }
    }
}
