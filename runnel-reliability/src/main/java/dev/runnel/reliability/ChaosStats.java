package dev.runnel.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/** Counters shared by the chaos soak's clients and publishers, and the first violations in full. */
final class ChaosStats {

    private static final int KEPT = 20;

    final AtomicInteger connected = new AtomicInteger();
    final LongAdder delivered = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder streamErrors = new LongAdder();
    final LongAdder resets = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder outOfOrder = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder unanswered = new LongAdder();

    private final ReentrantLock lock = new ReentrantLock();
    private final List<String> firstViolations = new ArrayList<>();

    void violation(String what) {
        lock.lock();
        try {
            if (firstViolations.size() < KEPT) {
                firstViolations.add(what);
            }
        } finally {
            lock.unlock();
        }
    }

    List<String> firstViolations() {
        lock.lock();
        try {
            return List.copyOf(firstViolations);
        } finally {
            lock.unlock();
        }
    }
}
