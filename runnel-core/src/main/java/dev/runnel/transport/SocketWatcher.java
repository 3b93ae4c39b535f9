package dev.runnel.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Notices at once when an HTTP/1.1 client closes a connection that is carrying a stream, for servers
 * that do not read from a connection while its response streams (Jetty, Tomcat): without it a
 * client's FIN goes unseen until a later write fails, and the first write after it still succeeds.
 * A tool for {@link SseTransport} implementations; JDK only.
 *
 * <p>Each streaming connection's socket is registered with one extra selector, shared by every
 * stream of a server; when the socket turns readable the watcher reads: end of stream or
 * a reset means the client left. Bytes a client sends mid-stream (it should send none, but a TLS
 * client may send its close alert before the FIN) are discarded, and the connection must not be
 * reused after the stream; past {@link #DISCARD_LIMIT} bytes the watch stops, so a client that
 * keeps sending cannot keep the watcher busy.
 *
 * <p>Thread-safe. One daemon platform thread runs the selector and never blocks on anything but the
 * selector: each {@code onGone} callback runs on a virtual thread of its own, so a callback that waits
 * (for a lock held through a long fan-out, say) or throws holds up no other connection.
 */
public final class SocketWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.runnel.transport.disconnect");

    /** Bytes a watch discards before it gives up on the connection (the stream goes on, unwatched). */
    static final int DISCARD_LIMIT = 4096;

    private final Selector selector;
    private final String name;
    private final Thread thread;
    private final Queue<Watch> pending = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(512);
    private volatile boolean running = true;

    /** Opens the selector and starts its daemon thread; {@code name} names the thread. */
    public SocketWatcher(String name) throws IOException {
        this.selector = Selector.open();
        this.name = name;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /**
     * Starts watching {@code channel} (non-blocking, as servers keep their connections); {@code onGone}
     * runs once, on a virtual thread, when the client leaves. A connection has one watch at a time:
     * {@link Watch#stop() stop} the last one before watching it again.
     */
    public Watch watch(SocketChannel channel, Runnable onGone) {
        Watch watch = new Watch(channel, onGone);
        pending.add(watch);
        selector.wakeup();
        return watch;
    }

    private void loop() {
        while (running) {
            try {
                selector.select();
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException | Error e) {
                if (running) {
                    LOG.log(Level.WARNING, "disconnect watcher: select failed; continuing", e);
                    pause();
                }
                continue;
            }
            // each watch and each ready key on its own: one that fails costs only its own connection's watch
            for (Watch w; (w = pending.poll()) != null; ) {
                try {
                    w.register();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "disconnect watcher: could not watch a connection; it is noticed on a write instead", t);
                }
            }
            Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
            while (ready.hasNext()) {
                SelectionKey key = ready.next();
                ready.remove();
                try {
                    ((Watch) key.attachment()).readable();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "disconnect watcher: reading a watched connection failed", t);
                }
            }
        }
    }

    /** After a failed select: do not spin on a fault that persists. */
    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Registers {@code channel} for reading. A key left by the channel's last watch, cancelled but not
     * yet dropped by a select, would make the registration fail: such a key is dropped first. On the
     * selector thread.
     */
    private SelectionKey register(SocketChannel channel, Watch watch) throws ClosedChannelException {
        for (int attempt = 1; ; attempt++) {
            SelectionKey old = channel.keyFor(selector);
            if (old != null && !old.isValid()) {
                try {
                    selector.selectNow(); // drops cancelled keys; keys it finds ready are read in this round
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> "disconnect watcher: selectNow failed: " + e);
                }
            }
            try {
                return channel.register(selector, SelectionKey.OP_READ, watch);
            } catch (CancelledKeyException e) {
                // the last watch's key was cancelled between the check and the registration
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        selector.close();
    }

    /** One watched connection. */
    public final class Watch {
        private final SocketChannel channel;
        private final Runnable onGone;
        private final ReentrantLock lock = new ReentrantLock();
        private SelectionKey key;
        private boolean stopped;
        private int bytesDiscarded;

        private Watch(SocketChannel channel, Runnable onGone) {
            this.channel = channel;
            this.onGone = onGone;
        }

        /** True once the selector took the watch. */
        boolean registered() {
            lock.lock();
            try {
                return key != null;
            } finally {
                lock.unlock();
            }
        }

        private void register() {
            lock.lock();
            try {
                if (stopped) {
                    return;
                }
                key = SocketWatcher.this.register(channel, this);
            } catch (ClosedChannelException e) {
                gone();
            } finally {
                lock.unlock();
            }
        }

        private void readable() {
            lock.lock();
            try {
                if (stopped) {
                    return;
                }
                scratch.clear();
                int n = channel.read(scratch);
                if (n < 0) {
                    gone();
                } else if (n > 0) {
                    bytesDiscarded += n;
                    if (bytesDiscarded > DISCARD_LIMIT) {
                        LOG.log(Level.DEBUG, "client sent " + bytesDiscarded + " bytes while a stream was open; no longer watching");
                        stopLocked();
                    }
                }
            } catch (IOException e) {
                gone();
            } finally {
                lock.unlock();
            }
        }

        /** The client left: stop watching, and tell the listener on a thread of its own. Under the lock. */
        private void gone() {
            stopLocked();
            Thread.ofVirtual().name(name + "-gone").start(() -> {
                try {
                    onGone.run();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "disconnect listener failed", t);
                }
            });
        }

        /**
         * Stops watching; after it returns the watcher will not read from the socket again, so the
         * server can read the next request. Returns true if bytes were discarded, in which case the
         * connection must not be reused. A client that left just before may still have its
         * {@code onGone} run after this returns.
         */
        public boolean stop() {
            lock.lock();
            try {
                stopLocked();
                return bytesDiscarded > 0;
            } finally {
                lock.unlock();
            }
        }

        private void stopLocked() {
            if (stopped) {
                return;
            }
            stopped = true;
            if (key != null) {
                key.cancel();
                // a cancelled key is dropped at the next select; until then a closed socket's file
                // descriptor stays open, so do not wait for the next readable socket
                selector.wakeup();
            }
        }
    }
}
