package dev.runnel;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The engine's stream limits: in all, and per client address. Thread-safe and lock-free. */
final class Admissions {

    private final int maxStreams;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    /** Open streams per address; counts change inside the map's per-key compute, so they never drift. */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    Admissions(int maxStreams, int maxPerAddress) {
        this.maxStreams = maxStreams;
        this.maxPerAddress = maxPerAddress;
    }

    /** The file descriptor limit less a margin for everything that is not a stream, or no limit. */
    static int defaultMaxStreams() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long fds = unix.getMaxFileDescriptorCount();
            if (fds > 0 && fds < Integer.MAX_VALUE) {
                return (int) Math.max(16, fds - Math.max(100, fds / 10));
            }
        }
        return Integer.MAX_VALUE;
    }

    int maxStreams() {
        return maxStreams;
    }

    int maxPerAddress() {
        return maxPerAddress;
    }

    /** True when the global limit is what refuses now. */
    boolean full() {
        return open.get() >= maxStreams;
    }

    /** Takes a place for a stream from {@code peer} ({@code null} when unknown); false when a limit says no. */
    boolean admit(InetAddress peer) {
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return false;
        }
        if (peer != null && maxPerAddress != Integer.MAX_VALUE) {
            boolean[] refused = new boolean[1];
            perAddress.compute(peer, (a, count) -> {
                int n = count == null ? 0 : count;
                if (n >= maxPerAddress) {
                    refused[0] = true;
                    return count;
                }
                return n + 1;
            });
            if (refused[0]) {
                open.decrementAndGet();
                return false;
            }
        }
        return true;
    }

    /** Gives back the place {@link #admit} took. */
    void release(InetAddress peer) {
        open.decrementAndGet();
        if (peer != null && maxPerAddress != Integer.MAX_VALUE) {
            perAddress.computeIfPresent(peer, (a, count) -> count <= 1 ? null : count - 1);
        }
    }
}
