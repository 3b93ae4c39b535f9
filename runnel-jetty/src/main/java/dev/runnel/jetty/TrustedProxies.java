package dev.runnel.jetty;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The reverse proxies whose {@code X-Forwarded-For} the server believes. A request that arrives
 * from one of them is the request of the last address in that header that is not itself a trusted
 * proxy; from anyone else the header is ignored (a client may write anything there). Addresses are
 * IP literals, never names: nothing here asks a name service.
 */
final class TrustedProxies {

    static final TrustedProxies NONE = new TrustedProxies(Set.of());
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final int MAX_HOPS = 20;

    private final Set<InetAddress> addresses;

    private TrustedProxies(Set<InetAddress> addresses) {
        this.addresses = addresses;
    }

    /**
     * The proxies of {@code literals}.
     *
     * @throws IllegalArgumentException naming the first that is not an IPv4 or IPv6 literal
     */
    static TrustedProxies of(List<String> literals) {
        List<InetAddress> parsed = new ArrayList<>();
        for (String literal : literals) {
            InetAddress address = literal(literal);
            if (address == null) {
                throw new IllegalArgumentException("trustedProxies takes IP addresses (203.0.113.7, 2001:db8::1), got \""
                        + (literal == null ? "null" : literal.length() > 60 ? literal.substring(0, 60) + "..." : literal) + '"');
            }
            parsed.add(address);
        }
        return new TrustedProxies(Set.copyOf(parsed));
    }

    boolean contains(InetAddress address) {
        return addresses.contains(address);
    }

    boolean isEmpty() {
        return addresses.isEmpty();
    }

    /**
     * The client a request from {@code peer} was made for: from a trusted proxy, the last address of
     * {@code forwardedFor} (every {@code X-Forwarded-For} value, in order) that is not a trusted proxy;
     * else {@code null}, and so also when the header is missing or what it names is not an address.
     */
    InetAddress client(InetAddress peer, List<String> forwardedFor) {
        if (peer == null || !addresses.contains(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
            return null;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            hops.addAll(Arrays.asList(value.split(",", -1)));
        }
        int seen = 0;
        for (int i = hops.size() - 1; i >= 0 && seen++ < MAX_HOPS; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                return null; // what the trusted proxy wrote is not an address: believe nothing further back
            }
            if (!addresses.contains(hop)) {
                return hop;
            }
        }
        return null;
    }

    /** The address {@code text} spells (IPv6 optionally in brackets), or {@code null}; never a name lookup. */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.length() > 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']') {
            t = t.substring(1, t.length() - 1);
        }
        // a text with ':' is read as an IPv6 literal or refused, and a dotted quad is a literal: neither is looked up
        boolean v4 = IPV4.matcher(t).matches();
        if (!v4 && !(t.indexOf(':') >= 0 && IPV6.matcher(t).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
