package dev.runnel.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition in a test: polls it, and fails naming what it waited for. */
public final class Await {

    private Await() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws AssertionError "timed out waiting until WHAT" when {@code timeout} passes first
     */
    public static void until(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }
}
