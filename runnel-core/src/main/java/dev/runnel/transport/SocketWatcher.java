package dev.runnel.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
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
 * <p>Thread-safe. One daemon platform thread runs the selector; {@code onGone} callbacks run on it and
 * must not block.
 */
public final class SocketWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.runnel.transport.disconnect");

    /** Bytes a watch discards before it gives up on the connection (the stream goes on, unwatched). */
    static final int DISCARD_LIMIT = 4096;

    private final Selector selector;
    private final Thread thread;
    private final Queue<Watch> pending = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(512);
    private volatile boolean running = true;

    /** Opens the selector and starts its daemon thread; {@code name} names the thread. */
    public SocketWatcher(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /** Starts watching {@code channel}; {@code onGone} runs once, on the watcher thread, when the client leaves. */
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
                for (Watch w; (w = pending.poll()) != null; ) {
                    w.register();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Watch) key.attachment()).readable();
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, "disconnect watcher loop failed; continuing", e);
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

        private void register() {
            lock.lock();
            try {
                if (stopped) {
                    return;
                }
                key = channel.register(selector, SelectionKey.OP_READ, this);
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

        private void gone() {
            stopLocked();
            try {
                onGone.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "disconnect listener failed", e);
            }
        }

        /**
         * Stops watching; after it returns the watcher will not read from the socket again, so the
         * server can read the next request. Returns true if bytes were discarded, in which case the
         * connection must not be reused.
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
