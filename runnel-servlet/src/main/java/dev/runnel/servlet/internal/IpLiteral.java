package dev.runnel.servlet.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads an IPv4 or IPv6 address literal without ever asking a name service: the text a container
 * gives as {@code getRemoteAddr()}, which a forwarded-header filter may replace with whatever the
 * client sent. ({@code InetAddress.getByName} looks the text up whenever it is not a literal, and
 * Java 21 has no {@code InetAddress.ofLiteral}.)
 *
 * <p>Accepted: dotted-quad IPv4 ({@code 203.0.113.7}; four decimal parts 0-255 without leading
 * zeros, which some parsers read as octal), and IPv6 in any RFC 4291 text form, {@code ::} and a
 * trailing dotted quad included, optionally in brackets and with a zone of ASCII letters, digits,
 * {@code .}, {@code -} and {@code _}: a numeric zone ({@code fe80::1%2}) is kept as the scope id, a
 * named one ({@code fe80::1%eth0}) is dropped (naming an interface would mean asking the system). Anything else, a host name included, is not a literal.
 */
final class IpLiteral {

    private static final int MAX_LENGTH = 128; // longer than any literal with a zone a system names

    private IpLiteral() {
    }

    /** The address {@code text} spells, or {@code null} when it is not an IP literal. */
    static InetAddress parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return null;
        }
        if (text.charAt(0) == '[') {
            return text.charAt(text.length() - 1) == ']' ? ipv6(text.substring(1, text.length() - 1)) : null;
        }
        if (text.indexOf(':') >= 0) {
            return ipv6(text);
        }
        byte[] v4 = new byte[4];
        return ipv4(text, v4, 0) ? address(v4) : null;
    }

    private static InetAddress ipv6(String text) {
        int percent = text.indexOf('%');
        byte[] bytes = ipv6Bytes(percent < 0 ? text : text.substring(0, percent));
        if (bytes == null) {
            return null;
        }
        InetAddress plain = address(bytes);
        if (percent < 0) {
            return plain;
        }
        String zone = text.substring(percent + 1);
        if (!zone.chars().allMatch(IpLiteral::zoneChar) || zone.isEmpty() || plain instanceof Inet4Address) {
            return null; // an IPv4-mapped address has no zone
        }
        int scope = decimal(zone, 0, zone.length(), Integer.MAX_VALUE);
        if (scope < 0) {
            return plain; // a named zone
        }
        try {
            return Inet6Address.getByAddress(null, bytes, scope);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes", e);
        }
    }

    /** The 16 bytes of an IPv6 literal without zone, or {@code null}. */
    private static byte[] ipv6Bytes(String text) {
        byte[] bytes = new byte[16];
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null; // at most one "::"
        }
        if (gap < 0) {
            return groups(text, bytes, 16, true) == 16 ? bytes : null;
        }
        byte[] tail = new byte[16];
        int head = gap == 0 ? 0 : groups(text.substring(0, gap), bytes, 14, false);
        int tailLength = gap + 2 == text.length() ? 0 : groups(text.substring(gap + 2), tail, 14, true);
        if (head < 0 || tailLength < 0 || head + tailLength > 14) {
            return null; // "::" stands for at least one group of zeros
        }
        System.arraycopy(tail, 0, bytes, 16 - tailLength, tailLength);
        return bytes;
    }

    /**
     * Reads colon-separated hex groups into {@code bytes}, the last of which may be a dotted quad
     * when {@code quad} (the address's last 32 bits); returns the number of bytes written, or -1 when
     * the text is not such a list or needs more than {@code max} bytes.
     */
    private static int groups(String text, byte[] bytes, int max, boolean quad) {
        int written = 0;
        int start = 0;
        while (true) {
            int colon = text.indexOf(':', start);
            int end = colon < 0 ? text.length() : colon;
            if (quad && colon < 0 && text.indexOf('.', start) >= 0) {
                if (written + 4 > max || !ipv4(text.substring(start), bytes, written)) {
                    return -1;
                }
                return written + 4;
            }
            int group = hex(text, start, end);
            if (group < 0 || written + 2 > max) {
                return -1;
            }
            bytes[written] = (byte) (group >>> 8);
            bytes[written + 1] = (byte) group;
            written += 2;
            if (colon < 0) {
                return written;
            }
            start = colon + 1;
        }
    }

    /** Reads a dotted quad into {@code bytes} from {@code at}. */
    private static boolean ipv4(String text, byte[] bytes, int at) {
        int start = 0;
        for (int part = 0; part < 4; part++) {
            int dot = text.indexOf('.', start);
            int end = part < 3 ? dot : text.length();
            if (end < 0 || (part == 3 && dot >= 0)) {
                return false;
            }
            if (end - start > 1 && text.charAt(start) == '0') {
                return false; // "010" is 8 to some readers and 10 to others
            }
            int value = decimal(text, start, end, 255);
            if (value < 0) {
                return false;
            }
            bytes[at + part] = (byte) value;
            start = end + 1;
        }
        return true;
    }

    /** The ASCII decimal number in {@code text[start, end)}, or -1 when it is not one or exceeds {@code max}. */
    private static int decimal(String text, int start, int end, int max) {
        if (start >= end || end - start > 10) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > max ? -1 : (int) value;
    }

    /** The 1 to 4 ASCII hex digits in {@code text[start, end)}, or -1. */
    private static int hex(String text, int start, int end) {
        if (start >= end || end - start > 4) {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /** What a zone is made of: an interface index, or a name as systems give them. */
    private static boolean zoneChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // checks no name service
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e);
        }
    }
}
