package dev.runnel.jetty;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which client a trusted proxy's {@code X-Forwarded-For} names, and what it never believes. */
class TrustedProxiesTest {

    private final TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.1", "10.0.0.2", "2001:db8::1"));

    private static InetAddress ip(String literal) {
        return TrustedProxies.literal(literal);
    }

    @Test
    void theClientIsTheLastHopThatIsNotATrustedProxy() {
        assertThat(proxies.client(ip("10.0.0.1"), List.of("203.0.113.7"))).isEqualTo(ip("203.0.113.7"));
        assertThat(proxies.client(ip("10.0.0.1"), List.of("198.51.100.9, 203.0.113.7, 10.0.0.2"))).isEqualTo(ip("203.0.113.7"));
        assertThat(proxies.client(ip("10.0.0.1"), List.of("198.51.100.9", "203.0.113.7 , 10.0.0.2"))).isEqualTo(ip("203.0.113.7"));
        assertThat(proxies.client(ip("2001:db8::1"), List.of("[2001:db8::7]"))).isEqualTo(ip("2001:db8::7"));
        assertThat(proxies.client(ip("10.0.0.1"), List.of("2001:DB8:0:0:0:0:0:7"))).isEqualTo(ip("2001:db8::7"));
    }

    @Test
    void aPeerThatIsNotTrustedNamesNoOneElse() {
        assertThat(proxies.client(ip("203.0.113.9"), List.of("198.51.100.1"))).isNull();
        assertThat(proxies.client(null, List.of("198.51.100.1"))).isNull();
    }

    @Test
    void whatIsNotAnAddressEndsTheSearchAndNamesNoOne() {
        assertThat(proxies.client(ip("10.0.0.1"), List.of())).isNull();
        assertThat(proxies.client(ip("10.0.0.1"), List.of(""))).isNull();
        assertThat(proxies.client(ip("10.0.0.1"), List.of("203.0.113.7, unknown"))).isNull();
        assertThat(proxies.client(ip("10.0.0.1"), List.of("10.0.0.2, 10.0.0.1"))).isNull();
        assertThat(proxies.client(ip("10.0.0.1"), List.of("203.0.113.7:8080"))).isNull();
        assertThat(proxies.client(ip("10.0.0.1"), List.of("2001:db8::1%eth0"))).isNull();
    }

    @Test
    void literalsAreReadWithoutANameLookup() {
        // each would be looked up as a host name by InetAddress.getByName: none is an address here
        for (String name : List.of("cafe", "localhost", "example.com", "1.2.3", "01.2.3.4", "256.1.1.1", "1.2.3.4.5", "::g", "é::1")) {
            assertThat(TrustedProxies.literal(name)).as(name).isNull();
        }
        assertThat(TrustedProxies.literal(" 192.0.2.1 ")).isEqualTo(ip("192.0.2.1"));
        assertThat(TrustedProxies.literal("::ffff:192.0.2.1")).isNotNull();
    }
}
