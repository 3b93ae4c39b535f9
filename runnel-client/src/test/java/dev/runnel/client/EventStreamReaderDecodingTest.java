package dev.runnel.client;

import com.github.luben.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventStreamReaderDecodingTest {

    private static final String STREAM = "data: a\n\n: ping\n\nid: 7\ndata: Ünïcödé ☃\ndata: line two\n\n";

    private static byte[] gzip(byte[] plain, boolean complete) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GZIPOutputStream gzip = new GZIPOutputStream(out, true);
        gzip.write(plain);
        if (complete) {
            gzip.close();
        } else {
            gzip.flush();
        }
        return out.toByteArray();
    }

    private static byte[] zstd(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream zstd = new ZstdOutputStream(out)) {
            zstd.write(plain);
        }
        return out.toByteArray();
    }

    /** Feeds {@code coded} in pieces of {@code step} bytes; returns what the listener saw. */
    private static List<String> feed(String coding, byte[] coded, int step) throws IOException {
        List<String> seen = new ArrayList<>();
        EventStreamReader reader = EventStreamReader.forContentEncoding(coding, new EventStreamReader.Listener() {
            @Override
            public void onEvent(MessageEvent event) {
                seen.add("event:" + event.lastEventId() + ":" + event.data());
            }

            @Override
            public void onComment(String comment) {
                seen.add("comment:" + comment);
            }
        }, EventSourceOptions.DEFAULTS);
        for (int i = 0; i < coded.length; i += step) {
            reader.feed(coded, i, Math.min(step, coded.length - i));
        }
        reader.end();
        return seen;
    }

    @Test
    void gzipAndZstdDecodeFedOneByteAtATimeOrAllAtOnce() throws IOException {
        byte[] plain = STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("event::a", "comment:ping", "event:7:Ünïcödé ☃\nline two");
        for (int step : new int[] {1, 3, 1 << 20}) {
            assertThat(feed("gzip", gzip(plain, true), step)).as("gzip, step %d", step).isEqualTo(expected);
            assertThat(feed("zstd", zstd(plain), step)).as("zstd, step %d", step).isEqualTo(expected);
            assertThat(feed("identity", plain, step)).isEqualTo(expected);
            assertThat(feed(null, plain, step)).isEqualTo(expected);
        }
    }

    @Test
    void twoGzipMembersInARowDecodeAsOneStream() throws IOException {
        byte[] first = gzip("data: one\n\n".getBytes(StandardCharsets.UTF_8), true);
        byte[] second = gzip("data: two\n\n".getBytes(StandardCharsets.UTF_8), true);
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertThat(feed("gzip", both, 5)).containsExactly("event::one", "event::two");
    }

    @Test
    void aSyncFlushedGzipStreamDeliversBeforeItsTrailerAndEndSaysItIsTruncated() throws IOException {
        byte[] flushed = gzip("data: now\n\n".getBytes(StandardCharsets.UTF_8), false);
        List<String> seen = new ArrayList<>();
        EventStreamReader reader = EventStreamReader.forContentEncoding("gzip", e -> seen.add(e.data()), EventSourceOptions.DEFAULTS);
        reader.feed(flushed, 0, flushed.length);
        assertThat(seen).containsExactly("now");
        assertThatThrownBy(reader::end).isInstanceOf(UncheckedIOException.class).hasMessageContaining("truncated");
    }

    @Test
    void aCorruptGzipTrailerIsAnError() throws IOException {
        byte[] coded = gzip("data: x\n\n".getBytes(StandardCharsets.UTF_8), true);
        coded[coded.length - 6] ^= 0x55; // the CRC-32
        assertThatThrownBy(() -> feed("gzip", coded, 4)).isInstanceOf(IOException.class).hasMessageContaining("gzip")
                .hasMessageContaining("CRC");
    }

    @Test
    void anUnknownCodingIsRefusedNamingWhatIsKnown() {
        assertThatThrownBy(() -> EventStreamReader.forContentEncoding("br", e -> { }, EventSourceOptions.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("br").hasMessageContaining("gzip");
    }
}
