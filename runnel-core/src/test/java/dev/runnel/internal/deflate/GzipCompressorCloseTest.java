package dev.runnel.internal.deflate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void callThatFailsMidwayClosesTheCompressor(@TempDir Path dir) throws IOException {
        // a mapped file truncated under the mapping: reading it fails inside compress() (InternalError)
        Path file = dir.resolve("events");
        Files.write(file, new byte[1 << 20]);
        GzipCompressor c = new GzipCompressor(13, 6);
        c.compress(ByteBuffer.wrap("data: before\n\n".getBytes()));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, 1 << 20);
            channel.truncate(0);
            Throwable failure = null;
            try {
                c.compress(mapped);
            } catch (Throwable t) {
                failure = t;
            }
            assertThat(failure).as("reading the truncated mapping failed").isNotNull()
                    .isNotInstanceOf(IllegalStateException.class);
        }
        assertThat(c.memoryBytes()).isZero();
        assertThatThrownBy(() -> c.compress(ByteBuffer.allocate(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(c::finish).isInstanceOf(IllegalStateException.class);
        c.close();
    }
}
