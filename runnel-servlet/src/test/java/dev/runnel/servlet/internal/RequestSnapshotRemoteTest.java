package dev.runnel.servlet.internal;

import dev.runnel.servlet.RecordingResolverProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The peer address of a request snapshot comes from IP literals alone: a name is never looked up. */
class RequestSnapshotRemoteTest {

    @Test
    void aHostNameIsNeverLookedUp() throws Exception {
        // this JVM's resolver records every lookup and answers names under .example itself
        String probe = "resolver-check-" + System.nanoTime() + ".example";
        assertThat(InetAddress.getByName(probe).getHostAddress()).isEqualTo(RecordingResolverProvider.EXAMPLE_ADDRESS);
        assertThat(RecordingResolverProvider.lookedUp()).as("the recording resolver is in place").contains(probe);

        assertThat(RequestSnapshot.remote("attacker.example", 4711)).isNull();
        assertThat(RequestSnapshot.remote("localhost", 4711)).as("a lookup would find the loopback address").isNull();
        assertThat(RecordingResolverProvider.lookedUp()).doesNotContain("attacker.example", "localhost");
    }

    @Test
    void anIpv4LiteralKeepsItsAddressAndPort() throws Exception {
        assertThat(RequestSnapshot.remote("203.0.113.7", 4711))
                .isEqualTo(new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7}), 4711));
    }

    @Test
    void anIpv6LiteralInBracketsOrWithAZoneKeepsItsAddress() {
        assertThat(RequestSnapshot.remote("[2001:db8::7]", 443).getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(RequestSnapshot.remote("fe80::1%2", 443).getAddress().getHostAddress()).isEqualTo("fe80:0:0:0:0:0:0:1%2");
        assertThat(RequestSnapshot.remote("fe80::1%eth0", 443).getAddress().getHostAddress()).isEqualTo("fe80:0:0:0:0:0:0:1");
        assertThat(RequestSnapshot.remote("0:0:0:0:0:0:0:1", 443).getPort()).isEqualTo(443);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "unknown", "\u0000\u00ff\u00fe", "1.2.3.4\r\n", "\uD83D\uDE00", "[::1", "999.1.1.1"})
    void emptyOrGarbageGivesNoAddress(String remoteAddr) {
        assertThat(RequestSnapshot.remote(remoteAddr, 4711)).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65_536, Integer.MIN_VALUE})
    void aPortOutsideTheRangeBecomesZero(int port) {
        assertThat(RequestSnapshot.remote("203.0.113.7", port).getPort()).isZero();
    }
}
