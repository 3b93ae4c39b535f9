package dev.runnel.servlet;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.servlet.internal.ConnectionHooks;
import dev.runnel.servlet.internal.GuardedHooks;
import dev.runnel.servlet.internal.RequestSnapshot;
import dev.runnel.servlet.internal.ServletTransport;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.RawSseClient;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A container hook that throws never fails a stream: it goes on as with no hooks, noticing a client that leaves on write. */
class FailingHooksTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @ParameterizedTest
    @EnumSource(Container.class)
    void aStreamWhoseHooksAllThrowIsServedAndItsClientLeavingIsNoticedOnWrite(Container container) throws Exception {
        SseEngine engine = SseEngine.builder().build();
        ThrowingHooks hooks = new ThrowingHooks();
        CountDownLatch cleaned = new CountDownLatch(1);
        SseHandler handler = request -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(1));
        try (Container.Running running = container.start(engine, new HooksServlet(engine, handler, GuardedHooks.of("Failing", hooks)),
                Container.Options.DEFAULTS)) {
            RawSseClient client = RawSseClient.get(running.uri(""));
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header("Content-Type")).startsWith("text/event-stream");
            client.awaitText("data: hello\n\n", WAIT);
            assertThat(hooks.called).as("every hook a stream uses was tried").contains("setHeader", "onClientGone", "keepIdleAbove");

            client.close();
            assertThat(cleaned.await(5, TimeUnit.SECONDS)).as("producer cancelled once a heartbeat write failed").isTrue();
            Await.until(() -> engine.openStreams() == 0, "the stream ended", WAIT);
            Await.until(() -> hooks.called.contains("release"), "release tried at the end", WAIT);
        }
    }

    /** Serves {@code handler} as {@link ServletSse} does, with the hooks given instead of the container's. */
    private static final class HooksServlet extends HttpServlet {
        private final transient SseEngine engine;
        private final transient SseHandler handler;
        private final transient ConnectionHooks hooks;

        HooksServlet(SseEngine engine, SseHandler handler, ConnectionHooks hooks) {
            this.engine = engine;
            this.handler = handler;
            this.hooks = hooks;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            RequestContext context = RequestSnapshot.of(request);
            ServletTransport transport = ServletTransport.open(request, response, hooks, Duration.ofSeconds(5));
            Thread.ofVirtual().start(() -> engine.serve(transport, context, handler));
        }
    }

    /** Hooks of a container whose internals moved: each call fails, some as a container would (a linkage error). */
    private static final class ThrowingHooks implements ConnectionHooks {
        final Set<String> called = ConcurrentHashMap.newKeySet();

        @Override
        public void setHeader(HttpServletResponse response, String name, String value) {
            called.add("setHeader");
            throw new NoSuchMethodError("org.example.Response.headers()");
        }

        @Override
        public void onClientGone(Runnable listener) {
            called.add("onClientGone");
            throw new IllegalStateException("no endpoint");
        }

        @Override
        public void keepIdleAbove(Duration heartbeat) {
            called.add("keepIdleAbove");
            throw new NoClassDefFoundError("org/example/EndPoint");
        }

        @Override
        public boolean release() {
            called.add("release");
            throw new IllegalStateException("already released");
        }

        @Override
        public void closeConnection(Throwable cause) {
            called.add("closeConnection");
            throw new UnsupportedOperationException("cannot close");
        }
    }
}
