package dev.runnel.client.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * gzip (RFC 1952) on the JDK's raw {@link Inflater}, pushed rather than pulled: unlike
 * {@code GZIPInputStream}, it never waits for bytes beyond those it was given, so what a sync flush
 * completed is passed on at once. Members may follow one another; each trailer's CRC-32 and size
 * are checked.
 */
final class GzipDecoder implements ContentDecoder {

    private enum State { HEADER, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, DATA, TRAILER }

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] out = new byte[8192];
    private final byte[] field = new byte[10]; // the fixed header, the extra length, the trailer
    private State state = State.HEADER;
    private int filled; // bytes of field so far
    private int flags;
    private int extraLeft;
    private long size;
    private final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public void decode(byte[] coded, int offset, int length, Sink sink) throws IOException {
        if (closed.get()) {
            throw new IOException("the gzip decoder is closed");
        }
        try {
            decodeOpen(coded, offset, length, sink);
        } catch (IllegalStateException e) {
            if (closed.get()) { // the JDK's inflater is thread-safe, and refuses every call once ended
                throw new IOException("the gzip decoder was closed while decoding", e);
            }
            throw e;
        }
    }

    private void decodeOpen(byte[] coded, int offset, int length, Sink sink) throws IOException {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            switch (state) {
                case HEADER -> {
                    at = collect(coded, at, end, 10);
                    if (filled == 10) {
                        startMember();
                    }
                }
                case EXTRA_LENGTH -> {
                    at = collect(coded, at, end, 2);
                    if (filled == 2) {
                        extraLeft = (field[0] & 0xFF) | (field[1] & 0xFF) << 8;
                        filled = 0;
                        state = State.EXTRA;
                        afterField();
                    }
                }
                case EXTRA -> {
                    int n = Math.min(extraLeft, end - at);
                    at += n;
                    extraLeft -= n;
                    afterField();
                }
                case NAME, COMMENT -> {
                    State field = state;
                    while (at < end && state == field) {
                        if (coded[at++] == 0) { // the field's end
                            afterField();
                        }
                    }
                }
                case HEADER_CRC -> {
                    at = collect(coded, at, end, 2);
                    if (filled == 2) {
                        filled = 0;
                        state = State.DATA; // the header's CRC-16 is optional and rarely sent; not checked
                    }
                }
                case DATA -> at = inflate(coded, at, end, sink);
                case TRAILER -> {
                    at = collect(coded, at, end, 8);
                    if (filled == 8) {
                        checkTrailer();
                    }
                }
            }
        }
    }

    private int collect(byte[] coded, int at, int end, int want) {
        int n = Math.min(want - filled, end - at);
        System.arraycopy(coded, at, field, filled, n);
        filled += n;
        return at + n;
    }

    private void startMember() throws ZipException {
        if ((field[0] & 0xFF) != 0x1F || (field[1] & 0xFF) != 0x8B) {
            throw new ZipException("the gzip body does not start with gzip's magic bytes (1F 8B): not gzip data");
        }
        if (field[2] != 8) {
            throw new ZipException("the gzip body uses compression method " + field[2] + "; only 8 (deflate) exists");
        }
        flags = field[3] & 0xFF;
        filled = 0;
        inflater.reset();
        crc.reset();
        size = 0;
        state = (flags & FEXTRA) != 0 ? State.EXTRA_LENGTH : State.EXTRA;
        extraLeft = 0;
        afterField();
    }

    /** Moves past the optional header fields that are done or absent. */
    private void afterField() {
        if (state == State.EXTRA && extraLeft == 0) {
            state = State.NAME;
            if ((flags & FNAME) != 0) {
                flags &= ~FNAME;
                return;
            }
        }
        if (state == State.NAME) {
            state = State.COMMENT;
            if ((flags & FCOMMENT) != 0) {
                flags &= ~FCOMMENT;
                return;
            }
        }
        if (state == State.COMMENT) {
            state = (flags & FHCRC) != 0 ? State.HEADER_CRC : State.DATA;
        }
    }

    private int inflate(byte[] coded, int at, int end, Sink sink) throws IOException {
        inflater.setInput(coded, at, end - at);
        try {
            while (true) {
                int n = inflater.inflate(out);
                if (n > 0) {
                    crc.update(out, 0, n);
                    size += n;
                    sink.accept(out, 0, n);
                }
                if (inflater.finished()) {
                    state = State.TRAILER;
                    filled = 0;
                    return end - inflater.getRemaining();
                }
                if (inflater.needsDictionary()) {
                    throw new ZipException("corrupt gzip data: the deflate stream asks for a preset dictionary");
                }
                if (n == 0 && inflater.needsInput()) {
                    return end;
                }
            }
        } catch (DataFormatException e) {
            throw new ZipException("corrupt gzip data: " + e.getMessage());
        }
    }

    private void checkTrailer() throws ZipException {
        long expectedCrc = le32(0);
        long expectedSize = le32(4);
        if (expectedCrc != crc.getValue()) {
            throw new ZipException("corrupt gzip data: the CRC-32 in the trailer does not match the data");
        }
        if (expectedSize != (size & 0xFFFF_FFFFL)) {
            throw new ZipException("corrupt gzip data: the size in the trailer does not match the data");
        }
        filled = 0;
        state = State.HEADER; // another member may follow
    }

    private long le32(int from) {
        return (field[from] & 0xFFL) | (field[from + 1] & 0xFFL) << 8 | (field[from + 2] & 0xFFL) << 16
                | (field[from + 3] & 0xFFL) << 24;
    }

    @Override
    public void end() throws IOException {
        if (state != State.HEADER || filled != 0) {
            throw new ZipException("the gzip stream was truncated: the body ended inside a gzip member"
                    + (state == State.DATA ? " (no end of its deflate data, no trailer)" : ""));
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            inflater.end();
        }
    }
}
