package dev.runnel.example;

import dev.runnel.Fragment;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Published;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chat's recent messages and the id of the newest, so the home page can render them and then
 * connect with {@code ?lastEventId=}: a message sent between the render and the connect is replayed,
 * not lost.
 */
final class ChatLog {

    private static final int KEEP = 20;

    private final Hub hub;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Map<String, Object>> recent = new ArrayDeque<>();
    private String lastId;

    ChatLog(Hub hub) {
        this.hub = hub;
    }

    /** Publishes a message to everyone on the chat topic (after {@code publisher}'s access check, when given). */
    Published post(dev.runnel.RequestContext publisher, Map<String, Object> message) {
        Fragment fragment = Fragment.of("home", "chat_messages", Map.of("messages", List.of(message)), "chat");
        lock.lock();
        try {
            // under the lock, so the log's order and newest id match the hub's
            Published published = publisher == null ? hub.publish("chat", fragment) : hub.publish(publisher, "chat", fragment);
            recent.addLast(message);
            if (recent.size() > KEEP) {
                recent.removeFirst();
            }
            lastId = published.id();
            return published;
        } finally {
            lock.unlock();
        }
    }

    /** The recent messages, oldest first, and the newest id, taken together. */
    Snapshot snapshot() {
        lock.lock();
        try {
            return new Snapshot(List.copyOf(recent), lastId);
        } finally {
            lock.unlock();
        }
    }

    record Snapshot(List<Map<String, Object>> messages, String lastId) {
    }
}
