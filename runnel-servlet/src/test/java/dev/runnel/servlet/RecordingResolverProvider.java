package dev.runnel.servlet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The name service of the test JVM (registered in {@code META-INF/services}): records every name
 * looked up, answers names under {@code .example} (RFC 2606) with 203.0.113.66 without asking
 * anyone, and passes everything else to the JDK's own resolver. So a test can tell whether code
 * looked a name up, and a lookup that should not happen gives an answer a test sees.
 */
public final class RecordingResolverProvider extends InetAddressResolverProvider {

    /** What names under {@code .example} resolve to. */
    public static final String EXAMPLE_ADDRESS = "203.0.113.66";

    private static final Set<String> LOOKED_UP = ConcurrentHashMap.newKeySet();

    /** Every name looked up in this JVM so far. */
    public static Set<String> lookedUp() {
        return Set.copyOf(LOOKED_UP);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException {
                LOOKED_UP.add(host);
                if (host.endsWith(".example")) {
                    return Stream.of(InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 66}));
                }
                return builtin.lookupByName(host, lookupPolicy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "recording resolver for tests";
    }
}
