package dev.runnel.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/** The disconnect watcher on real loopback sockets: re-watching a connection, and callbacks that block or throw. */
class SocketWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ServerSocketChannel listener;
    private SocketWatcher watcher;
    private final List<Connection> connections = new ArrayList<>();

    /** A loopback connection: the server's end, non-blocking as servers keep it, and the client's end. */
    private record Connection(SocketChannel server, SocketChannel client) {
    }

    @BeforeEach
    void open() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        watcher = new SocketWatcher("test-disconnect-watcher");
    }

    @AfterEach
    void close() throws IOException {
        watcher.close();
        for (Connection c : connections) {
            c.client().close();
            c.server().close();
        }
        listener.close();
    }

    private Connection connect() throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept();
        server.configureBlocking(false);
        Connection c = new Connection(server, client);
        connections.add(c);
        return c;
    }

    private static void awaitRegistered(SocketWatcher.Watch watch, String which) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!watch.registered()) {
            assertThat(System.nanoTime() - deadline).as(which + " was never registered with the selector").isNegative();
            Thread.sleep(0, 50_000);
        }
    }

    @Test
    void watchingOneConnectionAgainThousandsOfTimesRegistersEveryWatchAndStillSeesTheClientLeave() throws Exception {
        Connection connection = connect();
        Connection other = connect();
        AtomicBoolean stop = new AtomicBoolean();
        // another connection watched and unwatched without pause keeps the selector waking, as a busy server's does
        Thread churn = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                watcher.watch(other.server(), () -> { }).stop();
            }
        });
        try {
            for (int i = 0; i < 5000; i++) {
                // each stream on a keep-alive connection: watched while it lasts, unwatched when it ends
                SocketWatcher.Watch watch = watcher.watch(connection.server(), () -> { });
                awaitRegistered(watch, "watch " + i);
                watch.stop();
            }
        } finally {
            stop.set(true);
            churn.join();
        }
        CountDownLatch gone = new CountDownLatch(1);
        awaitRegistered(watcher.watch(connection.server(), gone::countDown), "the last watch");
        connection.client().close();
        assertThat(gone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the client's leaving was seen").isTrue();
    }

    @Test
    void aCallbackWaitingForALockDoesNotStopTheWatcherRegisteringOrSeeingOthersLeave() throws Exception {
        Connection first = connect();
        Connection second = connect();
        ReentrantLock busy = new ReentrantLock(); // stands for the hub's lock, held through a long fan-out
        CountDownLatch firstCalled = new CountDownLatch(1);
        CountDownLatch secondGone = new CountDownLatch(1);
        busy.lock();
        try {
            awaitRegistered(watcher.watch(first.server(), () -> {
                firstCalled.countDown();
                busy.lock();
                busy.unlock();
            }), "the first watch");
            first.client().close();
            assertThat(firstCalled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            // the first callback now waits for the lock; the watcher must go on without it
            awaitRegistered(watcher.watch(second.server(), secondGone::countDown), "a watch made while a callback waits");
            second.client().close();
            assertThat(secondGone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("another client's leaving was seen while a callback waits").isTrue();
        } finally {
            busy.unlock();
        }
    }

    @Test
    void aCallbackThatThrowsAnErrorDoesNotEndTheWatcher() throws Exception {
        Connection first = connect();
        Connection second = connect();
        CountDownLatch thrown = new CountDownLatch(1);
        awaitRegistered(watcher.watch(first.server(), () -> {
            thrown.countDown();
            throw new StackOverflowError("thrown by a test callback");
        }), "the first watch");
        first.client().close();
        assertThat(thrown.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        CountDownLatch secondGone = new CountDownLatch(1);
        awaitRegistered(watcher.watch(second.server(), secondGone::countDown), "a watch made after a callback threw");
        second.client().close();
        assertThat(secondGone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the watcher still sees clients leave").isTrue();
    }

    @Test
    void aSocketClosedBeforeItIsRegisteredCountsAsGone() throws Exception {
        Connection connection = connect();
        connection.server().close();
        CountDownLatch gone = new CountDownLatch(1);
        watcher.watch(connection.server(), gone::countDown);
        assertThat(gone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
}
