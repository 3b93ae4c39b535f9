package dev.runnel.internal.deflate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decodes a gzip stream chunk by chunk with the JDK's {@link Inflater}, the way a client reads a
 * compressed event stream: after each chunk it returns everything the chunk made decodable.
 */
public final class IncrementalGunzip implements AutoCloseable {

    static final int HEADER_LENGTH = 10;

    private final Inflater inflater = new Inflater(true);
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final byte[] scratch = new byte[8192];
    private boolean headerSeen;

    /** Feeds one chunk and returns the bytes it decoded. */
    public byte[] feed(ByteBuffer chunk) {
        byte[] bytes = new byte[chunk.remaining()];
        chunk.duplicate().get(bytes);
        all.writeBytes(bytes);
        int from = 0;
        if (!headerSeen) {
            assertThat(bytes.length).as("first chunk holds the gzip header").isGreaterThanOrEqualTo(HEADER_LENGTH);
            assertThat(bytes[0] & 0xFF).isEqualTo(0x1F);
            assertThat(bytes[1] & 0xFF).isEqualTo(0x8B);
            assertThat(bytes[2]).as("CM = deflate").isEqualTo((byte) 8);
            assertThat(bytes[3]).as("FLG: no name, no extra").isEqualTo((byte) 0);
            assertThat(bytes[9] & 0xFF).as("OS = unknown").isEqualTo(255);
            headerSeen = true;
            from = HEADER_LENGTH;
        }
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        inflater.setInput(bytes, from, bytes.length - from);
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(scratch);
                if (n == 0) {
                    if (inflater.needsInput() || inflater.needsDictionary()) {
                        break;
                    }
                    continue;
                }
                decoded.write(scratch, 0, n);
            }
        } catch (DataFormatException e) {
            throw new AssertionError("not a valid deflate stream: " + e.getMessage(), e);
        }
        return decoded.toByteArray();
    }

    /** Whether the final deflate block has been read. */
    public boolean finished() {
        return inflater.finished();
    }

    /** Bytes left after the deflate data (the gzip trailer once finished). */
    public int remaining() {
        return inflater.getRemaining();
    }

    /** Every chunk fed so far, concatenated. */
    public byte[] stream() {
        return all.toByteArray();
    }

    /** The whole stream read by {@link GZIPInputStream}, which checks CRC32 and ISIZE. */
    public static byte[] gunzip(byte[] stream) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stream))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
