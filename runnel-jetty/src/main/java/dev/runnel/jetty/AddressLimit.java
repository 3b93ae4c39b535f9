package dev.runnel.jetty;

import org.eclipse.jetty.io.SelectorManager;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most connections one client address may hold open at once. Network connections are counted as
 * Jetty accepts them (one over the cap is closed at once, before a byte of it is read) and given back
 * when Jetty closes them; connections from a trusted proxy are not counted here, because each request
 * through a proxy is counted against its forwarded client's address instead ({@link #acquire}).
 *
 * <p>Lock-free per address; every slot taken is given back exactly once, whichever way its
 * connection or request ends.
 */
final class AddressLimit implements SelectorManager.AcceptListener {

    private static final System.Logger LOG = System.getLogger("dev.runnel.jetty");

    private final int max;
    private final TrustedProxies proxies;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    /** The counted connections and their addresses: a closed channel no longer tells its address. */
    private final ConcurrentHashMap<SelectableChannel, InetAddress> counted = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    AddressLimit(int max, TrustedProxies proxies) {
        this.max = max;
        this.proxies = proxies;
    }

    /** The most connections per address. */
    int max() {
        return max;
    }

    /** Connections and forwarded requests open now from {@code address}. */
    int openFrom(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    /** Takes a slot for {@code address}; false, taking nothing, when it has {@link #max} already. */
    boolean acquire(InetAddress address) {
        boolean[] taken = {false};
        open.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back a slot {@link #acquire} took for {@code address}. */
    void release(InetAddress address) {
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        InetAddress address = remote(channel);
        if (address == null || proxies.contains(address)) {
            return;
        }
        if (acquire(address)) {
            counted.put(channel, address);
            return;
        }
        if (refused.getAndIncrement() % 1000 == 0) {
            LOG.log(Level.WARNING, "more than " + max + " connections from " + address.getHostAddress()
                    + ": closing new ones at once (" + refused.get() + " so far)");
        }
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            // closing is all we wanted; Jetty finds the channel closed
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        giveBack(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        giveBack(channel);
    }

    private void giveBack(SelectableChannel channel) {
        InetAddress address = counted.remove(channel);
        if (address != null) {
            release(address);
        }
    }

    private static InetAddress remote(SelectableChannel channel) {
        if (channel instanceof SocketChannel socket) {
            try {
                return socket.getRemoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
