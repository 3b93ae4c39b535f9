package dev.runnel.client.internal;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A decoder closed from another thread while it decodes (a source closed or released meanwhile) never crashes. */
class ContentDecoderCloseTest {

    private static byte[] noise() {
        byte[] plain = new byte[2 << 20];
        Random random = new Random(3);
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) ('a' + random.nextInt(20));
        }
        return plain;
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        }
        return out.toByteArray();
    }

    private static void closeWhileDecoding(Supplier<ContentDecoder> decoders, byte[] coded) throws Exception {
        for (int round = 0; round < 100; round++) {
            ContentDecoder decoder = decoders.get();
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    for (int i = 0; i < coded.length; i += 8192) {
                        decoder.decode(coded, i, Math.min(8192, coded.length - i), (b, o, n) -> { });
                    }
                } catch (IOException expected) {
                    // closed meanwhile
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            started.await();
            decoder.close();
            reader.join();
            assertThat(failure.get()).isNull();
            assertThatThrownBy(() -> decoder.decode(coded, 0, 10, (b, o, n) -> { })).isInstanceOf(IOException.class);
            decoder.close();
        }
    }

    @Test
    void zstdClosedWhileDecoding() throws Exception {
        closeWhileDecoding(ZstdDecoder::new, Zstd.compress(noise(), 1));
    }

    @Test
    void gzipClosedWhileDecoding() throws Exception {
        closeWhileDecoding(GzipDecoder::new, gzip(noise()));
    }
}
