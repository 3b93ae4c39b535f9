package dev.runnel.internal.deflate;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GzipCompressorCloseTest {

    @Test
    void closeDuringCompressFailsTheCallWithIllegalStateExceptionOnly() throws Exception {
        byte[] big = new byte[4 << 20];
        new SplittableRandom(5).nextBytes(big);
        boolean sawCloseDuringCall = false;
        for (int attempt = 0; attempt < 50 && !sawCloseDuringCall; attempt++) {
            GzipCompressor c = new GzipCompressor(13, 6);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CompletableFuture<ByteBuffer> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.compress(ByteBuffer.wrap(big));
                } catch (Throwable t) {
                    failure.set(t);
                    return null;
                }
            });
            while (!c.busy() && !call.isDone()) {
                Thread.onSpinWait();
            }
            boolean closedWhileBusy = c.busy();
            c.close();
            call.get();
            if (failure.get() != null) {
                assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
                sawCloseDuringCall |= closedWhileBusy;
            }
            assertThat(c.memoryBytes()).isZero();
            assertThatThrownBy(() -> c.compress(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(c::finish).isInstanceOf(IllegalStateException.class);
            c.close();
        }
        assertThat(sawCloseDuringCall).as("a close landed during a call").isTrue();
    }

    @Test
    void concurrentSecondCallFailsWithoutCorruptingTheFirst() throws Exception {
        byte[] big = new byte[4 << 20];
        new SplittableRandom(6).nextBytes(big);
        GzipCompressor c = new GzipCompressor(13, 6);
        try (IncrementalGunzip gunzip = new IncrementalGunzip()) {
            CompletableFuture<ByteBuffer> call = CompletableFuture.supplyAsync(() -> c.compress(ByteBuffer.wrap(big)));
            while (!c.busy() && !call.isDone()) {
                Thread.onSpinWait();
            }
            if (c.busy()) {
                assertThatThrownBy(() -> c.compress(ByteBuffer.allocate(1)))
                        .isInstanceOf(IllegalStateException.class);
            }
            assertThat(gunzip.feed(call.get())).isEqualTo(big);
            byte[] more = "data: after\n\n".getBytes();
            assertThat(gunzip.feed(c.compress(ByteBuffer.wrap(more)))).isEqualTo(more);
        }
        c.close();
    }
}
