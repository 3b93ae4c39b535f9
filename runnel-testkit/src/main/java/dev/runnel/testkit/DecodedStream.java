package dev.runnel.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a response body as it arrives, on a virtual thread of its own, and decodes it as it goes:
 * {@code gzip} with the JDK's {@link Inflater} (header, deflate data, then the trailer's CRC-32 and
 * length checked), or nothing for a plain body. For tests that must see each event when it is sent,
 * not when the body ends.
 */
public final class DecodedStream implements AutoCloseable {

    private final InputStream in;
    private final boolean gzip;
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream decoded = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile boolean eof;
    private volatile boolean trailerValid;
    private volatile Throwable failure;

    private DecodedStream(InputStream in, String coding) {
        this.in = in;
        this.gzip = "gzip".equals(coding);
        if (coding != null && !gzip) {
            throw new IllegalArgumentException("cannot decode " + coding);
        }
        this.reader = Thread.ofVirtual().name("decoded-stream").start(this::read);
    }

    /** Starts reading {@code body}, decoded by {@code coding} ({@code "gzip"}, or {@code null} for none). */
    public static DecodedStream read(InputStream body, String coding) {
        return new DecodedStream(body, coding);
    }

    /** What was decoded so far, as UTF-8. */
    public String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    /** True once the body ended (the server closed it). */
    public boolean ended() {
        return eof;
    }

    /** True when the gzip body ended with a trailer whose CRC-32 and length match what was decoded. */
    public boolean trailerValid() {
        return trailerValid;
    }

    /** What reading or decoding failed with, if it did. */
    public Throwable failure() {
        return failure;
    }

    /** Waits until the decoded text contains {@code expected}. */
    public void awaitText(String expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until the decoded stream contains " + expected.replace("\n", "\\n")
                        + "; it has: " + tail() + (failure != null ? "; reading failed: " + failure : ""));
            }
            Thread.sleep(5);
        }
    }

    /** Waits until the body ended. */
    public void awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until the body ended; it has: " + tail());
            }
            Thread.sleep(5);
        }
    }

    private String tail() {
        String t = text();
        return (t.length() > 200 ? "..." + t.substring(t.length() - 200) : t).replace("\n", "\\n");
    }

    private void read() {
        try (in) {
            byte[] chunk = new byte[16 * 1024];
            Inflater inflater = gzip ? new Inflater(true) : null;
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            boolean headerDone = false;
            boolean dataDone = false;
            CRC32 crc = new CRC32();
            long size = 0;
            byte[] out = new byte[64 * 1024];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (!gzip) {
                    append(chunk, 0, n);
                    continue;
                }
                pending.write(chunk, 0, n);
                byte[] buf = pending.toByteArray();
                int pos = 0;
                if (!headerDone) {
                    int end = headerEnd(buf);
                    if (end < 0) {
                        continue;
                    }
                    headerDone = true;
                    pos = end;
                }
                if (!dataDone) {
                    inflater.setInput(buf, pos, buf.length - pos);
                    int got;
                    while ((got = inflater.inflate(out)) > 0) {
                        crc.update(out, 0, got);
                        size += got;
                        append(out, 0, got);
                    }
                    pos = buf.length - inflater.getRemaining();
                    dataDone = inflater.finished();
                }
                pending.reset();
                pending.write(buf, pos, buf.length - pos);
                if (dataDone && pending.size() >= 8) {
                    byte[] t = pending.toByteArray();
                    long c = le32(t, 0);
                    long s = le32(t, 4);
                    trailerValid = c == crc.getValue() && s == (size & 0xffffffffL) && t.length == 8;
                }
            }
            if (inflater != null) {
                inflater.end();
            }
        } catch (IOException | DataFormatException | RuntimeException e) {
            failure = e;
        } finally {
            eof = true;
        }
    }

    private void append(byte[] b, int off, int len) {
        decoded.write(b, off, len);
        synchronized (text) {
            text.setLength(0);
            text.append(decoded.toString(StandardCharsets.UTF_8));
        }
    }

    /** Where a gzip header (RFC 1952) ends in {@code b}, or -1 while it is incomplete. */
    private static int headerEnd(byte[] b) throws IOException {
        if (b.length < 10) {
            return -1;
        }
        if ((b[0] & 0xff) != 0x1f || (b[1] & 0xff) != 0x8b || b[2] != 8) {
            throw new IOException("not a gzip header");
        }
        int flags = b[3] & 0xff;
        int p = 10;
        if ((flags & 4) != 0) {
            if (b.length < p + 2) {
                return -1;
            }
            p += 2 + ((b[p] & 0xff) | (b[p + 1] & 0xff) << 8);
        }
        for (int bit : new int[] {8, 16}) {
            if ((flags & bit) != 0) {
                while (p < b.length && b[p] != 0) {
                    p++;
                }
                if (p >= b.length) {
                    return -1;
                }
                p++;
            }
        }
        if ((flags & 2) != 0) {
            p += 2;
        }
        return p <= b.length ? p : -1;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    @Override
    public void close() throws IOException {
        in.close();
        reader.interrupt();
    }
}
