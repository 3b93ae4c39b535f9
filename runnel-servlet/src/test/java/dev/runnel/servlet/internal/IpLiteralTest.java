package dev.runnel.servlet.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** IP literals are read as addresses; anything else, host names included, is not a literal. */
class IpLiteralTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "203.0.113.7               | 203.0.113.7",
            "0.0.0.0                   | 0.0.0.0",
            "255.255.255.255           | 255.255.255.255",
            "127.0.0.1                 | 127.0.0.1",
    })
    void ipv4LiteralsAreRead(String text, String expected) {
        InetAddress address = IpLiteral.parse(text);
        assertThat(address).isInstanceOf(Inet4Address.class);
        assertThat(address.getHostAddress()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "::1                                   | 0:0:0:0:0:0:0:1",
            "::                                    | 0:0:0:0:0:0:0:0",
            "0:0:0:0:0:0:0:1                       | 0:0:0:0:0:0:0:1",
            "2001:db8::7                           | 2001:db8:0:0:0:0:0:7",
            "2001:DB8:0:0:0:0:2:1                  | 2001:db8:0:0:0:0:2:1",
            "1::                                   | 1:0:0:0:0:0:0:0",
            "1:2:3:4:5:6:7::                       | 1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8                       | 0:2:3:4:5:6:7:8",
            "[2001:db8::7]                         | 2001:db8:0:0:0:0:0:7",
            "::1.2.3.4                             | 0:0:0:0:0:0:102:304",
            "64:ff9b::192.0.2.33                   | 64:ff9b:0:0:0:0:c000:221",
            "fe80::1%2                             | fe80:0:0:0:0:0:0:1%2",
            "[fe80::1%2]                           | fe80:0:0:0:0:0:0:1%2",
            "fe80::1%eth0                          | fe80:0:0:0:0:0:0:1",
            "[fe80::1%25eth0]                      | fe80:0:0:0:0:0:0:1",
    })
    void ipv6LiteralsAreReadWithANumericZoneKeptAndANamedOneDropped(String text, String expected) {
        InetAddress address = IpLiteral.parse(text);
        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(address.getHostAddress()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:192.0.2.1", "[::ffff:192.0.2.1]"})
    void anIpv4MappedIpv6LiteralIsItsIpv4Address(String text) {
        assertThat(IpLiteral.parse(text)).isInstanceOf(Inet4Address.class)
                .extracting(InetAddress::getHostAddress).isEqualTo("192.0.2.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // names: never looked up
            "attacker.example", "localhost", "example", "a", "unknown", "_hidden", "xn--nxasmq6b.example",
            // IPv4 look-alikes
            "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "+1.2.3.4", "01.2.3.4", "1.2.3.4.", ".1.2.3.4", "1..3.4",
            " 1.2.3.4", "1.2.3.4 ", "0x7f.0.0.1", "4294967295", "1.2.3.4:80", "١.٢.٣.٤", "１.２.３.４",
            // IPv6 look-alikes
            ":", ":::", "1:::2", "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::8", "12345::", "g::1", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "[::1", "::1]", "[]", "[",
            "[1.2.3.4]", "fe80::1%", "::1%%2", "fe80::1%eth 0", "fe80::1%eth0\n", "fe80::1%\u00e9", "::1 ", "::ffff:1.2.3.4%3", "::ffff:1.2.3.4%eth0",
            // odd bytes
            "\u0000", "1.2.3.4\u0000", "::1\r\nX-Injected: yes", "\u00ff\u00fe", "1.2.3.\uD83D\uDE00",
    })
    void anythingElseIsNotALiteral(String text) {
        assertThat(IpLiteral.parse(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 200, 100_000})
    void emptyNullAndOverlongTextIsNotALiteral(int length) {
        assertThat(IpLiteral.parse("1".repeat(length))).isNull();
        assertThat(IpLiteral.parse(":".repeat(length))).isNull();
        assertThat(IpLiteral.parse(null)).isNull();
    }
}
