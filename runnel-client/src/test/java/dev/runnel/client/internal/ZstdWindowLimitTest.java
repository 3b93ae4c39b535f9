package dev.runnel.client.internal;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server names the zstd window the client must hold. zstd itself accepts up to 128 MiB per stream;
 * HTTP's zstd coding (RFC 9659) allows 8 MiB, as browsers do, and so does this client.
 */
class ZstdWindowLimitTest {

    /** One frame, flushed and ended, whose header declares a window of 2^windowLog bytes. */
    private static byte[] frame(int windowLog, String text) {
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(1);
            ctx.setWindowLog(windowLog);
            ctx.setContentSize(false);
            ByteBuffer out = ByteBuffer.allocate(1024);
            ByteBuffer in = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            ctx.compressByteBufferStream(out, in, EndDirective.FLUSH); // a flush first: the size is not known, the window is declared
            ctx.compressByteBufferStream(out, ByteBuffer.allocate(0), EndDirective.END);
            assertThat(out.get(4) & 0x20).as("not a single segment").isZero();
            assertThat(10 + ((out.get(5) & 0xFF) >>> 3)).as("the declared window").isEqualTo(windowLog);
            byte[] b = new byte[out.flip().remaining()];
            out.get(b);
            return b;
        }
    }

    private static String decode(byte[] coded, int chunk) throws IOException {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (ContentDecoder decoder = ContentDecoders.open("zstd")) {
            for (int at = 0; at < coded.length; at += chunk) {
                decoder.decode(coded, at, Math.min(chunk, coded.length - at), (b, off, len) -> plain.write(b, off, len));
            }
            decoder.end();
        }
        return plain.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFrameWithAnEightMiBWindowIsDecoded() throws Exception {
        assertThat(decode(frame(23, "data: a\n\n"), 1 << 16)).isEqualTo("data: a\n\n");
        assertThat(decode(frame(23, "data: a\n\n"), 1)).as("a header split byte by byte").isEqualTo("data: a\n\n");
    }

    @Test
    void aFrameDeclaringAWindowAboveEightMiBIsRefused() {
        byte[] coded = frame(27, "data: a\n\n");
        assertThatThrownBy(() -> decode(coded, 1 << 16)).isInstanceOf(IOException.class).hasMessageContaining("8 MiB");
        assertThatThrownBy(() -> decode(coded, 1)).as("a header split byte by byte").isInstanceOf(IOException.class)
                .hasMessageContaining("8 MiB");
    }

    @Test
    void aSecondFrameDeclaringAHugeWindowIsRefusedToo() throws Exception {
        byte[] first = frame(12, "data: a\n\n");
        byte[] second = frame(26, "data: b\n\n");
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertThatThrownBy(() -> decode(both, 1 << 16)).isInstanceOf(IOException.class).hasMessageContaining("8 MiB");
        byte[] twice = new byte[first.length * 2];
        System.arraycopy(first, 0, twice, 0, first.length);
        System.arraycopy(first, 0, twice, first.length, first.length);
        assertThat(decode(twice, 3)).as("concatenated frames with small windows").isEqualTo("data: a\n\ndata: a\n\n");
    }

    @Test
    void aSingleSegmentFrameDeclaringAHugeContentSizeIsRefused() {
        // magic, descriptor (single segment, 4-byte content size), content size 64 MiB, then a raw last block of 1 byte
        byte[] coded = {(byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD, (byte) 0xA0, 0, 0, 0, 4, 0x09, 0, 0, 'x'};
        assertThatThrownBy(() -> decode(coded, 1 << 16)).isInstanceOf(IOException.class).hasMessageContaining("8 MiB");
    }

    @Test
    void aHugeWindowAfterASkippableFrameIsRefused() {
        byte[] skippable = {0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
        byte[] big = frame(26, "data: b\n\n");
        byte[] both = new byte[skippable.length + big.length];
        System.arraycopy(skippable, 0, both, 0, skippable.length);
        System.arraycopy(big, 0, both, skippable.length, big.length);
        assertThatThrownBy(() -> decode(both, 1 << 16)).isInstanceOf(IOException.class).hasMessageContaining("8 MiB");
        assertThatThrownBy(() -> decode(both, 5)).isInstanceOf(IOException.class).hasMessageContaining("8 MiB");
    }
}
