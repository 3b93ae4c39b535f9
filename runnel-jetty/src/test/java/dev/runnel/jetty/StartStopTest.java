package dev.runnel.jetty;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.testkit.Await;
import dev.runnel.testkit.LiveThreads;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starting and stopping: what a stopped or failed server holds (nothing), and what it refuses. */
class StartStopTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String WATCHER = "runnel-disconnect-watcher";
    private static final String POOL = "runnel-jetty";
    private final List<RunnelServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RunnelServer::stop);
    }

    private RunnelServer build(int port) {
        RunnelServer server = RunnelServer.builder().port(port).engine(SseEngine.builder().build()).build();
        server.sse("/s", req -> EventStream.of("one"));
        servers.add(server);
        return server;
    }

    @Test
    void aStoppedServerRefusesToStartAgainAndSaysWhy() {
        RunnelServer server = build(0).start();
        int port = server.port();
        server.stop();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped").hasMessageContaining("build a new RunnelServer");
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aStoppedServerStillReportsThePortItListenedOn() {
        RunnelServer server = build(0).start();
        int port = server.port();
        assertThat(port).isPositive();
        server.stop();
        assertThat(server.port()).isEqualTo(port);
        assertThat(server.uri().getPort()).isEqualTo(port);
    }

    @Test
    void failedStartsOnABusyPortLeaveNoThreadsBehind() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RunnelServer server = build(busy.getLocalPort());
            settle();
            int watchers = LiveThreads.named(WATCHER);
            int pool = LiveThreads.named(POOL);
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("could not start the server on 127.0.0.1:" + busy.getLocalPort());
            }
            Await.until(() -> LiveThreads.named(WATCHER) <= watchers, "the failed starts' watcher threads end", WAIT);
            Await.until(() -> LiveThreads.named(POOL) <= pool, "the failed starts' Jetty threads end", WAIT);
        }
    }

    @Test
    void aServerWhoseStartFailedStartsOnceThePortIsFree() throws Exception {
        int port;
        RunnelServer server;
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = busy.getLocalPort();
            server = build(port);
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        }
        server.start();
        assertThat(server.port()).isEqualTo(port);
        try (var client = dev.runnel.testkit.RawSseClient.get(server.uri().resolve("/s"))) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.readToEnd(WAIT)).isEqualTo("data: one\n\n");
        }
    }

    @Test
    void aStopWhoseJettyStopFailsStillClosesTheWatcher() throws Exception {
        settle();
        int watchers = LiveThreads.named(WATCHER);
        RunnelServer server = build(0);
        server.configureJetty(jetty -> jetty.addBean(new AbstractLifeCycle() {
            @Override
            protected void doStop() throws Exception {
                throw new IOException("a component failed to stop");
            }
        }));
        server.start();
        assertThat(LiveThreads.named(WATCHER)).isEqualTo(watchers + 1);
        server.stop(); // logs the failure, does not throw
        Await.until(() -> LiveThreads.named(WATCHER) <= watchers, "the watcher thread ends", WAIT);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
    }

    @Test
    void aServerWhoseEngineWasShutDownRefusesToStart() {
        SseEngine engine = SseEngine.builder().build();
        engine.shutdown(Duration.ZERO);
        RunnelServer server = RunnelServer.builder().port(0).engine(engine).build();
        servers.add(server);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("engine was shut down").hasMessageContaining("new SseEngine");
    }

    @Test
    void stoppingTwiceOrBeforeStartingIsHarmless() {
        RunnelServer never = build(0);
        never.stop();
        never.start().stop();
        never.stop();
        assertThatThrownBy(never::start).isInstanceOf(IllegalStateException.class);
    }

    /** Waits for threads of servers other tests stopped to end, so the counts below are this test's own. */
    private static void settle() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            int now = LiveThreads.named(WATCHER) + LiveThreads.named(POOL);
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(200);
        }
    }
}
