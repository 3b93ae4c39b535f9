package dev.runnel.bench.load;

import com.github.luben.zstd.ZstdDecompressCtx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Undoes one response's content coding as its bytes arrive, push-style: {@link #feed} takes what the
 * socket gave and hands every decoded byte to the sink at once (a sync-flushed stream decodes whole
 * events from each write). {@code gzip} through the JDK's {@link Inflater}, {@code zstd} through
 * zstd-jni. One per connection; the scratch buffers are shared, so every decoder of one
 * {@link Scratch} must be driven from one thread.
 */
abstract sealed class BodyDecoder implements AutoCloseable {

    /** Where decoded bytes go: the connection's event parser. */
    interface Sink {
        void accept(byte[] buf, int off, int len) throws IOException;
    }

    /** Output (and zstd input) buffers shared by the decoders of one selector thread. */
    static final class Scratch {
        final byte[] out = new byte[64 * 1024];
        final ByteBuffer directIn = ByteBuffer.allocateDirect(64 * 1024);
        final ByteBuffer directOut = ByteBuffer.allocateDirect(128 * 1024);
    }

    /** The decoder for a {@code Content-Encoding} value, or null for identity; unknown codings fail. */
    static BodyDecoder of(String coding, Scratch scratch) throws IOException {
        return switch (coding == null ? "identity" : coding.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "identity", "" -> null;
            case "gzip", "x-gzip" -> new Gzip(scratch);
            case "zstd" -> new Zstd(scratch);
            default -> throw new IOException("cannot decode Content-Encoding " + coding);
        };
    }

    /** Decodes {@code len} bytes and passes everything they decode to on. */
    abstract void feed(byte[] buf, int off, int len, Sink sink) throws IOException;

    @Override
    public abstract void close();

    /** RFC 1952: a header (whose optional fields are skipped), raw deflate, an 8-byte trailer. */
    static final class Gzip extends BodyDecoder {
        private static final int FHCRC = 2;
        private static final int FEXTRA = 4;
        private static final int FNAME = 8;
        private static final int FCOMMENT = 16;

        private final Scratch scratch;
        private final Inflater inflater = new Inflater(true);
        private final byte[] fixed = new byte[10];
        private int fixedRead;
        private int flags;
        /** Bytes of the header's optional parts still to skip; -1: a zero-terminated field. */
        private int skipping;
        private int extraLengthRead;
        private int extraLength;
        private boolean inBody;

        Gzip(Scratch scratch) {
            this.scratch = scratch;
        }

        @Override
        void feed(byte[] buf, int off, int len, Sink sink) throws IOException {
            int end = off + len;
            while (!inBody && off < end) {
                off = header(buf, off, end);
            }
            if (off >= end || inflater.finished()) {
                return;
            }
            inflater.setInput(buf, off, end - off);
            try {
                while (!inflater.finished()) {
                    int n = inflater.inflate(scratch.out);
                    if (n > 0) {
                        sink.accept(scratch.out, 0, n);
                    } else if (inflater.needsInput() || inflater.needsDictionary()) {
                        break;
                    }
                }
            } catch (DataFormatException e) {
                throw new IOException("bad gzip body: " + e.getMessage(), e);
            }
        }

        /** Consumes header bytes from off; returns the first byte not consumed. */
        private int header(byte[] buf, int off, int end) throws IOException {
            if (fixedRead < fixed.length) {
                int n = Math.min(fixed.length - fixedRead, end - off);
                System.arraycopy(buf, off, fixed, fixedRead, n);
                fixedRead += n;
                off += n;
                if (fixedRead < fixed.length) {
                    return off;
                }
                if ((fixed[0] & 0xff) != 0x1f || (fixed[1] & 0xff) != 0x8b || fixed[2] != 8) {
                    throw new IOException("not a gzip stream: starts with " + (fixed[0] & 0xff) + " " + (fixed[1] & 0xff));
                }
                flags = fixed[3] & 0xff;
                skipping = 0;
            }
            while (off < end) {
                if (skipping > 0) {
                    int n = Math.min(skipping, end - off);
                    skipping -= n;
                    off += n;
                } else if (skipping < 0) {
                    if (buf[off++] == 0) {
                        skipping = 0;
                    }
                } else if ((flags & FEXTRA) != 0) {
                    extraLength |= (buf[off++] & 0xff) << (8 * extraLengthRead++);
                    if (extraLengthRead == 2) {
                        flags &= ~FEXTRA;
                        skipping = extraLength;
                    }
                } else if ((flags & FNAME) != 0) {
                    flags &= ~FNAME;
                    skipping = -1;
                } else if ((flags & FCOMMENT) != 0) {
                    flags &= ~FCOMMENT;
                    skipping = -1;
                } else if ((flags & FHCRC) != 0) {
                    flags &= ~FHCRC;
                    skipping = 2;
                } else {
                    break;
                }
            }
            if (skipping == 0 && (flags & (FEXTRA | FNAME | FCOMMENT | FHCRC)) == 0) {
                inBody = true;
            }
            return off;
        }

        @Override
        public void close() {
            inflater.end();
        }
    }

    /** RFC 8878 frames through a streaming zstd-jni context. */
    static final class Zstd extends BodyDecoder {
        private final Scratch scratch;
        private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();

        Zstd(Scratch scratch) {
            this.scratch = scratch;
        }

        @Override
        void feed(byte[] buf, int off, int len, Sink sink) throws IOException {
            ByteBuffer in = scratch.directIn;
            ByteBuffer out = scratch.directOut;
            int end = off + len;
            while (off < end) {
                in.clear();
                int n = Math.min(in.capacity(), end - off);
                in.put(buf, off, n).flip();
                off += n;
                boolean full;
                do {
                    out.clear();
                    try {
                        ctx.decompressDirectByteBufferStream(out, in);
                    } catch (RuntimeException e) {
                        throw new IOException("bad zstd body: " + e.getMessage(), e);
                    }
                    full = !out.hasRemaining();
                    out.flip();
                    int produced = out.remaining();
                    if (produced > 0) {
                        out.get(scratch.out, 0, Math.min(produced, scratch.out.length));
                        sink.accept(scratch.out, 0, Math.min(produced, scratch.out.length));
                        if (produced > scratch.out.length) {
                            int rest = produced - scratch.out.length;
                            out.get(scratch.out, 0, rest);
                            sink.accept(scratch.out, 0, rest);
                        }
                    }
                } while (in.hasRemaining() || full);
            }
        }

        @Override
        public void close() {
            ctx.close();
        }
    }
}
