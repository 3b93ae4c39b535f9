package dev.runnel.bench.load;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load tool's per-connection decoders: every flushed event decodes at once, however the bytes are split. */
class BodyDecoderTest {

    private static final String[] EVENTS = {"data: ünïcödé 1\n\n", "data: <p class=\"x\">two</p>\n\n",
            "data: {\"price\":\"101.25\"}\n\n", "data: " + "z".repeat(70_000) + "\n\n"};

    /** Writes each event then flushes; returns the coded bytes and where each flush ended. */
    private record Coded(byte[] bytes, int[] flushEnds) {
    }

    private interface Flushing {
        OutputStream open(OutputStream to) throws IOException;
    }

    private static Coded code(Flushing coder, byte[] headerPrefix) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        sink.write(headerPrefix);
        int[] ends = new int[EVENTS.length];
        try (OutputStream out = coder.open(sink)) {
            for (int i = 0; i < EVENTS.length; i++) {
                out.write(EVENTS[i].getBytes(StandardCharsets.UTF_8));
                out.flush();
                ends[i] = sink.size();
            }
        }
        return new Coded(sink.toByteArray(), ends);
    }

    /** Feeds the bytes in pieces of {@code piece} and checks each event is whole once its flush's bytes are in. */
    private static void decodesEachEventAtItsFlush(String coding, Coded coded, int piece) throws IOException {
        StringBuilder decoded = new StringBuilder();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        BodyDecoder.Scratch scratch = new BodyDecoder.Scratch();
        try (BodyDecoder decoder = BodyDecoder.of(coding, scratch)) {
            int event = 0;
            String expected = "";
            for (int at = 0; at < coded.bytes().length; at += piece) {
                int n = Math.min(piece, coded.bytes().length - at);
                decoder.feed(coded.bytes(), at, n, (b, o, l) -> raw.write(b, o, l));
                while (event < EVENTS.length && at + n >= coded.flushEnds()[event]) {
                    expected += EVENTS[event++];
                    assertThat(raw.toString(StandardCharsets.UTF_8)).as(coding + " after flush " + event).startsWith(expected);
                }
            }
            decoded.append(raw.toString(StandardCharsets.UTF_8));
        }
        assertThat(decoded.toString()).isEqualTo(String.join("", EVENTS));
    }

    @Test
    void gzipDecodesEveryEventAsSoonAsItsSyncFlushArrives() throws IOException {
        Coded coded = code(out -> new GZIPOutputStream(out, 512, true), new byte[0]);
        for (int piece : new int[] {1, 7, 4096, Integer.MAX_VALUE / 2}) {
            decodesEachEventAtItsFlush("gzip", coded, piece);
        }
    }

    @Test
    void gzipSkipsTheHeadersOptionalFields() throws IOException {
        // FEXTRA (3 bytes), FNAME, FCOMMENT, FHCRC, then a raw deflate stream with sync flushes
        byte[] header = {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, (byte) 255, 3, 0, 'a', 'b', 'c',
                'n', 'a', 'm', 'e', 0, 'c', 0, 0x12, 0x34};
        Coded coded = code(out -> new RawDeflate(out), header);
        for (int piece : new int[] {1, 5, 100_000}) {
            decodesEachEventAtItsFlush("gzip", coded, piece);
        }
    }

    @Test
    void zstdDecodesEveryEventAsSoonAsItsFlushArrives() throws IOException {
        Coded coded = code(out -> new ZstdOutputStreamNoFinalizer(out, 3), new byte[0]);
        for (int piece : new int[] {1, 13, 70_000, Integer.MAX_VALUE / 2}) {
            decodesEachEventAtItsFlush("zstd", coded, piece);
        }
    }

    @Test
    void identityNeedsNoDecoderAndUnknownCodingsFail() throws IOException {
        assertThat(BodyDecoder.of(null, new BodyDecoder.Scratch())).isNull();
        assertThat(BodyDecoder.of("identity", new BodyDecoder.Scratch())).isNull();
        assertThatThrownBy(() -> BodyDecoder.of("br", new BodyDecoder.Scratch())).hasMessageContaining("br");
    }

    @Test
    void aBodyThatIsNotGzipFails() throws IOException {
        try (BodyDecoder decoder = BodyDecoder.of("gzip", new BodyDecoder.Scratch())) {
            byte[] plain = "data: not coded\n\n".getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> decoder.feed(plain, 0, plain.length, (b, o, l) -> { }))
                    .isInstanceOf(IOException.class).hasMessageContaining("not a gzip stream");
        }
    }

    /** Raw deflate with a sync flush per flush(), after a hand-made gzip header. */
    private static final class RawDeflate extends OutputStream {
        private final OutputStream out;
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        private final byte[] buf = new byte[8192];

        RawDeflate(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            deflater.setInput(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            int n;
            do {
                n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
        }

        @Override
        public void close() {
            deflater.end();
        }
    }
}
