package dev.runnel.bench.floor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the floor's writer threads: it owns a share of the subscribers' sockets and, for each
 * published event, writes the same bytes to each socket of the topic in turn. A socket that does
 * not take them all keeps the rest (as views of the shared bytes) and is written when the selector
 * says it can take more; past {@value #MAX_PENDING} bytes waiting, it is dropped. The selector also
 * reads each socket, to notice when a subscriber leaves.
 */
final class FloorWriter implements AutoCloseable {

    private static final int MAX_PENDING = 4 * 1024 * 1024;

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<String, List<Sub>> topics = new HashMap<>();
    private final AtomicInteger subscribers;
    private final ByteBuffer scratch = ByteBuffer.allocate(4096);
    private final Thread thread;
    private volatile boolean running = true;

    /** A subscriber's socket, where it is in its topic's list, and the bytes it has not taken yet. */
    private static final class Sub {
        final SocketChannel channel;
        final List<Sub> topic;
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(0);
        SelectionKey key;
        int index;
        long pendingBytes;
        boolean dropped;

        Sub(SocketChannel channel, List<Sub> topic) {
            this.channel = channel;
            this.topic = topic;
        }
    }

    FloorWriter(String name, AtomicInteger subscribers) throws IOException {
        this.selector = Selector.open();
        this.subscribers = subscribers;
        this.thread = Thread.ofPlatform().name(name).start(this::run);
    }

    /** Hands {@code channel} to this writer as a subscriber of {@code topic}; {@code head} is written first. */
    void subscribe(SocketChannel channel, String topic, byte[] head) {
        tasks.add(() -> {
            Sub sub = new Sub(channel, topics.computeIfAbsent(topic, t -> new ArrayList<>()));
            try {
                sub.key = channel.register(selector, SelectionKey.OP_READ, sub);
            } catch (IOException e) {
                close(channel);
                return;
            }
            sub.index = sub.topic.size();
            sub.topic.add(sub);
            subscribers.incrementAndGet();
            send(sub, ByteBuffer.wrap(head));
        });
        selector.wakeup();
    }

    /** Writes {@code event} (read-only, shared: each socket gets a view of it) to this writer's subscribers of {@code topic}. */
    void publish(String topic, ByteBuffer event) {
        tasks.add(() -> {
            List<Sub> subs = topics.get(topic);
            if (subs == null) {
                return;
            }
            // backwards: a socket dropped on the way takes the last one's place, which is already done
            for (int i = subs.size() - 1; i >= 0; i--) {
                if (i < subs.size()) {
                    send(subs.get(i), event.duplicate());
                }
            }
        });
        selector.wakeup();
    }

    private void run() {
        while (running) {
            try {
                selector.select();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        System.err.println("floor: writer task failed: " + e);
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Sub sub = (Sub) key.attachment();
                    if (key.isValid() && key.isReadable()) {
                        readOrDrop(sub);
                    }
                    if (key.isValid() && key.isWritable()) {
                        flush(sub);
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    System.err.println("floor: writer loop: " + e);
                }
            }
        }
    }

    private void send(Sub sub, ByteBuffer bytes) {
        if (sub.dropped) {
            return;
        }
        if (!sub.pending.isEmpty()) {
            sub.pending.add(bytes);
            sub.pendingBytes += bytes.remaining();
            if (sub.pendingBytes > MAX_PENDING) {
                drop(sub);
            }
            return;
        }
        try {
            sub.channel.write(bytes);
        } catch (IOException e) {
            drop(sub);
            return;
        }
        if (bytes.hasRemaining()) {
            sub.pending.add(bytes);
            sub.pendingBytes = bytes.remaining();
            sub.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private void flush(Sub sub) {
        try {
            while (!sub.pending.isEmpty()) {
                ByteBuffer head = sub.pending.peek();
                int written = sub.channel.write(head);
                sub.pendingBytes -= written;
                if (head.hasRemaining()) {
                    return;
                }
                sub.pending.poll();
            }
            sub.key.interestOps(SelectionKey.OP_READ);
        } catch (IOException e) {
            drop(sub);
        }
    }

    /** Subscribers send nothing after their request: a read is the end of the connection (or bytes ignored). */
    private void readOrDrop(Sub sub) {
        try {
            scratch.clear();
            if (sub.channel.read(scratch) < 0) {
                drop(sub);
            }
        } catch (IOException e) {
            drop(sub);
        }
    }

    private void drop(Sub sub) {
        if (sub.dropped) {
            return;
        }
        sub.dropped = true;
        Sub last = sub.topic.remove(sub.topic.size() - 1);
        if (last != sub) {
            sub.topic.set(sub.index, last);
            last.index = sub.index;
        }
        subscribers.decrementAndGet();
        sub.pending.clear();
        sub.key.cancel();
        close(sub.channel);
    }

    private static void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // gone either way
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            close((SocketChannel) key.channel());
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
