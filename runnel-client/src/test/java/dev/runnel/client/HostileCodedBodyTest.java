package dev.runnel.client;

import com.github.luben.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A server's coded bytes cannot make the client hold more than its line and event limits, nor hang it. */
class HostileCodedBodyTest {

    private static final EventSourceOptions LIMITS = EventSourceOptions.DEFAULTS.withMaxLineSize(1 << 16).withMaxEventSize(1 << 17);

    /** 64 MiB of one byte, with no newline: about 64 KiB gzipped. */
    private static byte[] bomb(OutputStreamFactory coding) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] run = new byte[1 << 20];
        Arrays.fill(run, (byte) 'a');
        try (OutputStream coded = coding.open(out)) {
            coded.write("data: ".getBytes());
            for (int i = 0; i < 64; i++) {
                coded.write(run);
            }
        }
        return out.toByteArray();
    }

    interface OutputStreamFactory {
        OutputStream open(OutputStream out) throws IOException;
    }

    private static void feedAll(EventStreamReader reader, byte[] coded) throws IOException {
        for (int i = 0; i < coded.length; i += 8192) {
            reader.feed(coded, i, Math.min(8192, coded.length - i));
        }
    }

    @Test
    void aGzipBombWithoutANewlineEndsAtTheLineLimit() throws IOException {
        byte[] coded = bomb(GZIPOutputStream::new);
        EventStreamReader reader = EventStreamReader.forContentEncoding("gzip", event -> { }, LIMITS);
        assertThatThrownBy(() -> feedAll(reader, coded)).isInstanceOf(IOException.class).hasMessageContaining("maxLineSize");
    }

    @Test
    void aZstdBombWithoutANewlineEndsAtTheLineLimit() throws IOException {
        byte[] coded = bomb(ZstdOutputStream::new);
        EventStreamReader reader = EventStreamReader.forContentEncoding("zstd", event -> { }, LIMITS);
        assertThatThrownBy(() -> feedAll(reader, coded)).isInstanceOf(IOException.class).hasMessageContaining("maxLineSize");
    }

    @Test
    void aGzipNameThatNeverEndsHoldsNothingAndEndsAsTruncated() throws IOException {
        byte[] header = {0x1F, (byte) 0x8B, 8, 8 | 4, 0, 0, 0, 0, 0, 3, (byte) 0xFF, (byte) 0xFF}; // FNAME + FEXTRA of 64 KiB - 1
        EventStreamReader reader = EventStreamReader.forContentEncoding("gzip", event -> { }, LIMITS);
        reader.feed(header, 0, header.length);
        byte[] junk = new byte[1 << 20];
        Arrays.fill(junk, (byte) 'n');
        for (int i = 0; i < 16; i++) {
            reader.feed(junk, 0, junk.length); // the extra field, then a name 16 MiB long
        }
        assertThatThrownBy(reader::end).isInstanceOf(UncheckedIOException.class).hasMessageContaining("truncated");
    }

    @Test
    void garbageAfterAGzipMemberFailsTheStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write("data: a\n\n".getBytes());
        }
        out.write("garbage!!!".getBytes());
        byte[] coded = out.toByteArray();
        StringBuilder seen = new StringBuilder();
        EventStreamReader reader = EventStreamReader.forContentEncoding("gzip", event -> seen.append(event.data()), LIMITS);
        assertThatThrownBy(() -> reader.feed(coded, 0, coded.length)).isInstanceOf(IOException.class).hasMessageContaining("magic");
        assertThat(seen).as("what came before was delivered").hasToString("a");
    }

    @Test
    void aZlibStreamIsNotTakenForGzip() throws IOException {
        // a zlib stream is not gzip: its first bytes fail the magic check at once
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream zlib = new DeflaterOutputStream(out, new Deflater())) {
            zlib.write("data: a\n\n".getBytes());
        }
        byte[] coded = out.toByteArray();
        EventStreamReader reader = EventStreamReader.forContentEncoding("gzip", event -> { }, LIMITS);
        assertThatThrownBy(() -> reader.feed(coded, 0, coded.length)).isInstanceOf(IOException.class);
    }
}
