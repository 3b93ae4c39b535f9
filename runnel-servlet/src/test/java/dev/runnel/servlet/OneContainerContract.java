package dev.runnel.servlet;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The adapter with every default (connection watching on) on a class path that has one container
 * and not the other, as an application embedding that container has it. Each subclass runs in a
 * surefire execution of its own, whose class path leaves the other container out (see this
 * module's pom); the default execution has both containers.
 */
abstract class OneContainerContract {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private SseEngine engine;
    private ServletSse sse;
    private Container.Running running;

    /** The container on the class path. */
    abstract Container container();

    /** A class of the container that must be on the class path. */
    abstract String presentClass();

    /** A class of the other container, which must not be. */
    abstract String absentClass();

    @AfterEach
    void stop() {
        if (sse != null) {
            sse.close(); // before the container stops, which reports threads its application left running
        }
        if (running != null) {
            running.close();
        }
    }

    @Test
    void theClassPathHasThisContainerOnly() throws Exception {
        assertThat(Class.forName(presentClass())).isNotNull();
        assertThatThrownBy(() -> Class.forName(absentClass())).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void everyStreamIsServedWithConnectionWatchingOn() throws Exception {
        URI uri = serve(request -> EventStream.of("one", "two"));
        for (int request = 1; request <= 3; request++) {
            try (RawSseClient client = RawSseClient.get(uri)) {
                assertThat(client.status()).as("request %d", request).isEqualTo(200);
                assertThat(client.readToEnd(WAIT)).as("request %d", request).isEqualTo("data: one\n\ndata: two\n\n");
            }
        }
    }

    @Test
    void aClientThatLeavesIsNoticedAtOnceThroughTheContainersHook() throws Exception {
        CountDownLatch cleaned = new CountDownLatch(1);
        URI uri = serve(request -> EventStream.producer(out -> {
            try {
                out.emit("hello");
                Thread.sleep(Duration.ofHours(1));
            } finally {
                cleaned.countDown();
            }
        }).heartbeat(Duration.ofSeconds(60)));
        RawSseClient client = RawSseClient.get(uri);
        client.awaitText("data: hello\n\n", WAIT);
        client.close();
        // without the hook nothing is written for 60 s, so nothing would notice
        assertThat(cleaned.await(5, TimeUnit.SECONDS)).as("producer cancelled long before the 60 s heartbeat").isTrue();
    }

    private URI serve(SseHandler handler) throws Exception {
        engine = SseEngine.builder().build();
        sse = ServletSse.of(engine);
        running = container().start(engine, new RunnelServlet(sse, handler), Container.Options.DEFAULTS);
        return running.uri("");
    }
}
