package dev.runnel.testkit;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip coding for tests, on the JDK's {@link Deflater} with a sync flush after every call and gzip
 * framing (RFC 1952): independent of the built-in one, for tests that wrap a working coding under a
 * name of their own ({@link CountingCoding}). Its window setting is accepted and ignored.
 */
public final class DeflaterGzipCoding implements ContentCoding {

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final String name;

    public DeflaterGzipCoding(String name) {
        this.name = name;
    }

    public DeflaterGzipCoding() {
        this("gzip");
    }

    @Override public String name() { return name; }
    @Override public int minWindowLog() { return 9; }
    @Override public int maxWindowLog() { return 15; }
    @Override public int defaultWindowLog() { return 15; }
    @Override public int minLevel() { return 1; }
    @Override public int maxLevel() { return 9; }
    @Override public int defaultLevel() { return 6; }

    @Override
    public StreamCompressor open(int windowLog, int level) {
        if (windowLog < 9 || windowLog > 15 || level < 1 || level > 9) {
            throw new IllegalArgumentException("windowLog 9..15 and level 1..9, got " + windowLog + ", " + level);
        }
        return new Compressor(level);
    }

    private static final class Compressor implements StreamCompressor {
        private final Deflater deflater;
        private final CRC32 crc = new CRC32();
        private final byte[] chunk = new byte[8192];
        private boolean started;
        private volatile boolean closed;

        Compressor(int level) {
            deflater = new Deflater(level, true);
        }

        @Override
        public synchronized ByteBuffer compress(ByteBuffer bytes) {
            check();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            header(out);
            ByteBuffer in = bytes.duplicate();
            byte[] data = new byte[in.remaining()];
            in.get(data);
            crc.update(data);
            deflater.setInput(data);
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length || !deflater.needsInput());
            return ByteBuffer.wrap(out.toByteArray());
        }

        @Override
        public synchronized ByteBuffer finish() {
            check();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            header(out);
            deflater.finish();
            while (!deflater.finished()) {
                int n = deflater.deflate(chunk);
                out.write(chunk, 0, n);
            }
            int c = (int) crc.getValue();
            int size = (int) deflater.getBytesRead();
            for (int v : new int[] {c, size}) {
                out.write(v);
                out.write(v >>> 8);
                out.write(v >>> 16);
                out.write(v >>> 24);
            }
            close();
            return ByteBuffer.wrap(out.toByteArray());
        }

        private void header(ByteArrayOutputStream out) {
            if (!started) {
                started = true;
                out.writeBytes(HEADER);
            }
        }

        private void check() {
            if (closed) {
                throw new IllegalStateException("compressor closed");
            }
        }

        @Override
        public long memoryBytes() {
            return 256 * 1024;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                deflater.end();
            }
        }
    }
}
