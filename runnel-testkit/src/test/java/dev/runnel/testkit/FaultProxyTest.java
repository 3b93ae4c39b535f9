package dev.runnel.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link FaultProxy} in front of an echo server on loopback: each fault as a peer sees it. */
class FaultProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the test cut it
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.to(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    @Test
    void bytesGoThroughBothWaysAndAreCounted() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello ü")).isEqualTo("hello ü");
        }
        assertThat(proxy.bytes(FaultProxy.Direction.TO_UPSTREAM)).isEqualTo(8);
        Await.until(() -> proxy.bytes(FaultProxy.Direction.TO_CLIENT) == 8, "echoed bytes counted", WAIT);
    }

    @Test
    void aStalledProxyForwardsNothingUntilReleasedThenEverythingInOrder() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "warm");
            proxy.stall(true);
            s.getOutputStream().write("one two".getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            proxy.stall(false);
            s.setSoTimeout((int) WAIT.toMillis());
            assertThat(new String(s.getInputStream().readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("one two");
        }
    }

    @Test
    void theReplyToTheRequestWithTheMarkerIsDroppedAndItsLinkClosedOnce() throws Exception {
        try (Socket other = connect(); Socket s = connect()) {
            assertThat(roundTrip(s, "before")).isEqualTo("before");
            proxy.dropTheReplyTo("mark-é");
            // the marker split across two writes, as a request may be split across reads
            byte[] request = "GET mark-é now".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(Arrays.copyOf(request, 7));
            s.getOutputStream().flush();
            Thread.sleep(50);
            s.getOutputStream().write(Arrays.copyOfRange(request, 7, request.length));
            s.getOutputStream().flush();

            String dropped = proxy.awaitDroppedReply(WAIT);
            assertThat(dropped).as("the upstream answered: the request reached it").isNotNull().endsWith("now");
            String heard = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(heard).as("the client hears the echo of the first part at most, then the end").isIn("", "GET mar");
            assertThat(roundTrip(other, "mark-é again")).as("once only, and other links go on").isEqualTo("mark-é again");
        }
    }

    @Test
    void cutAllClosesBothDirections() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "x");
            proxy.cutAll();
            assertThat(s.getInputStream().read()).as("the client reads the end").isEqualTo(-1);
            assertThat(proxy.openLinks()).isZero();
        }
    }

    @Test
    void cuttingOneDirectionEndsItAndLeavesTheOtherOpen() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "x");
            proxy.cut(FaultProxy.Direction.TO_CLIENT);
            assertThat(s.getInputStream().read()).as("nothing more comes back").isEqualTo(-1);
            s.getOutputStream().write('y'); // the other way is still open: no error
            s.getOutputStream().flush();
        }
    }

    @Test
    void aResetLinkGivesTheClientAReset() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "x");
            proxy.resetAll();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) { // the reset arrives: a read or a write fails
                    s.getOutputStream().write('z');
                    if (s.getInputStream().read() < 0) {
                        throw new SocketException("end of stream instead of a reset");
                    }
                }
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void refusedConnectionsAreClosedAtOnceAndBlackholedOnesNeverAnswer() throws Exception {
        proxy.refuse(true);
        try (Socket s = connect()) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        proxy.refuse(false);
        proxy.blackhole(true);
        try (Socket s = connect()) {
            s.getOutputStream().write("anyone?".getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.blackhole(false);
            s.setSoTimeout((int) WAIT.toMillis());
            assertThat(new String(s.getInputStream().readNBytes(7), StandardCharsets.UTF_8)).as("then it goes through").isEqualTo("anyone?");
        }
    }

    @Test
    void aThrottledLinkStillDeliversEverythingInOrder() throws Exception {
        proxy.throttle(64 * 1024);
        byte[] data = new byte[32 * 1024];
        Arrays.fill(data, (byte) 'q');
        data[data.length - 1] = '!';
        try (Socket s = connect()) {
            Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                } catch (IOException ignored) {
                    // the assertion below fails instead
                }
            });
            byte[] back = s.getInputStream().readNBytes(data.length);
            assertThat(back).isEqualTo(data);
        }
    }

    @Test
    void newLinksFollowARetargetOpenOnesStay() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = other.accept()) {
                    s.getOutputStream().write("other".getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the assertion fails instead
                }
            });
            try (Socket before = connect()) {
                roundTrip(before, "a");
                proxy.retarget(other.getLocalPort());
                try (Socket after = connect()) {
                    assertThat(new String(after.getInputStream().readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("other");
                }
                assertThat(roundTrip(before, "still echo")).isEqualTo("still echo");
            }
        }
    }
}
