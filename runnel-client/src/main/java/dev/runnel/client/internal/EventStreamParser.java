package dev.runnel.client.internal;

import dev.runnel.client.MessageEvent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The WHATWG "event stream interpretation", on bytes, fed in chunks of any size.
 *
 * <pre>
 *   bytes                      meaning
 *   CR LF | LF | CR            end of line; a CR LF split across two chunks is one line end
 *   EF BB BF (stream start)    a byte order mark: skipped, once
 *   (empty line)               dispatch the event: lastEventId := id buffer; if data, emit it
 *   ':' text                   comment
 *   name ':' [' '] value       field; one space after the colon is dropped
 *   name                       field with an empty value
 *   data | event | id | retry  the fields; any other name is ignored
 * </pre>
 *
 * A line is decoded from UTF-8 only where its value is kept: CR, LF and ':' never occur inside a
 * multibyte sequence, so decoding per value equals decoding the whole stream ({@link Utf8}). A
 * complete line is parsed straight from the caller's chunk; only a line cut by a chunk boundary is
 * copied. Not thread-safe: one parser per connection, fed by one thread.
 */
public final class EventStreamParser {

    /** Receives what the parser finds, on the thread that feeds it. */
    public interface Handler {
        void onEvent(MessageEvent event);

        void onComment(String comment);

        void onRetry(long millis);
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int KEEP_BUFFER = 64 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Handler handler;
    private final int maxLineSize;
    private final int maxEventSize;

    private byte[] line = new byte[0];       // the start of a line cut by a chunk boundary
    private int lineLength;
    private byte[] data = new byte[256];     // data buffer: each data value followed by LF
    private int dataLength;
    private String type = "";                // event type buffer
    private byte[] typeBytes = new byte[0];  // the bytes `type` was last decoded from
    private String typeDecoded = "";
    private String idBuffer;                 // last event ID buffer
    private String lastEventId;              // last event ID string, set at each dispatch
    private boolean afterCr;                 // the last chunk ended with CR: a leading LF ends no line
    private boolean atStart = true;          // nothing parsed yet: a BOM may come
    private long lines;                      // lines completed so far

    /**
     * @param lastEventId the last event id so far ({@code ""} for none): it persists across
     *     connections, as in a browser
     */
    public EventStreamParser(Handler handler, String lastEventId, int maxLineSize, int maxEventSize) {
        this.handler = handler;
        this.idBuffer = lastEventId;
        this.lastEventId = lastEventId;
        this.maxLineSize = maxLineSize;
        this.maxEventSize = maxEventSize;
    }

    /** The last event ID string: the id buffer as of the last dispatch. */
    public String lastEventId() {
        return lastEventId;
    }

    /** Lines completed so far: fields, comments and empty lines, whatever they held. */
    public long lines() {
        return lines;
    }

    /** Parses {@code len} bytes of {@code buf} from {@code off}. */
    public void feed(byte[] buf, int off, int len) throws LimitExceededException {
        int end = off + len;
        int pos = off;
        if (afterCr && pos < end) {
            afterCr = false;
            if (buf[pos] == LF) {
                pos++;
            }
        }
        while (pos < end) {
            int eol = lineEnd(buf, pos, end);
            if (eol == end) {
                keep(buf, pos, end);
                return;
            }
            if (lineLength == 0) {
                if (eol - pos > maxLineSize) {
                    throw new LimitExceededException("maxLineSize", maxLineSize);
                }
                line(buf, pos, eol);
            } else {
                keep(buf, pos, eol);
                int length = lineLength;
                lineLength = 0;
                line(line, 0, length);
                if (line.length > KEEP_BUFFER) {
                    line = new byte[0];
                }
            }
            pos = eol + 1;
            if (buf[eol] == CR) {
                if (pos == end) {
                    afterCr = true;
                } else if (buf[pos] == LF) {
                    pos++;
                }
            }
        }
    }

    /** The stream ended: an event not yet dispatched by an empty line is discarded. */
    public void end() {
        lineLength = 0;
        dataLength = 0;
        type = "";
    }

    /** Index of the first CR or LF from {@code from}, or {@code to}: eight bytes at a time, then one by one. */
    private static int lineEnd(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(b, i);
            long lf = word ^ 0x0A0A0A0A0A0A0A0AL;
            long cr = word ^ 0x0D0D0D0D0D0D0D0DL;
            // a byte of lf or cr is zero where word has LF or CR; the lowest flagged byte is exact
            long zero = ((lf - 0x0101010101010101L) & ~lf | (cr - 0x0101010101010101L) & ~cr) & 0x8080808080808080L;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == LF || b[i] == CR) {
                return i;
            }
        }
        return to;
    }

    private void keep(byte[] buf, int from, int to) throws LimitExceededException {
        int length = lineLength + (to - from);
        if (length > maxLineSize) {
            throw new LimitExceededException("maxLineSize", maxLineSize);
        }
        if (length > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineSize, Math.max(length, 2 * line.length)));
        }
        System.arraycopy(buf, from, line, lineLength, to - from);
        lineLength = length;
    }

    private void line(byte[] b, int from, int to) throws LimitExceededException {
        lines++;
        if (atStart) {
            atStart = false;
            if (to - from >= 3 && b[from] == (byte) 0xEF && b[from + 1] == (byte) 0xBB && b[from + 2] == (byte) 0xBF) {
                from += 3;
            }
        }
        if (from == to) {
            dispatch();
            return;
        }
        if (b[from] == ':') {
            handler.onComment(decode(b, from + 1 < to && b[from + 1] == ' ' ? from + 2 : from + 1, to));
            return;
        }
        int colon = from;
        while (colon < to && b[colon] != ':') {
            colon++;
        }
        int value = colon < to ? colon + 1 : to;
        if (value < to && b[value] == ' ') {
            value++;
        }
        switch (colon - from) {
            case 4 -> {
                if (b[from] == 'd' && b[from + 1] == 'a' && b[from + 2] == 't' && b[from + 3] == 'a') {
                    appendData(b, value, to);
                }
            }
            case 5 -> {
                if (b[from] == 'e' && b[from + 1] == 'v' && b[from + 2] == 'e' && b[from + 3] == 'n' && b[from + 4] == 't') {
                    type = eventType(b, value, to);
                } else if (b[from] == 'r' && b[from + 1] == 'e' && b[from + 2] == 't' && b[from + 3] == 'r' && b[from + 4] == 'y') {
                    retry(b, value, to);
                }
            }
            case 2 -> {
                if (b[from] == 'i' && b[from + 1] == 'd') {
                    id(b, value, to);
                }
            }
            default -> {
                // an unknown field is ignored
            }
        }
    }

    private void appendData(byte[] b, int from, int to) throws LimitExceededException {
        int length = dataLength + (to - from) + 1;
        if (length - 1 > maxEventSize) {
            throw new LimitExceededException("maxEventSize", maxEventSize);
        }
        if (length > data.length) {
            data = Arrays.copyOf(data, Math.max(length, Math.min(maxEventSize + 1, 2 * data.length)));
        }
        System.arraycopy(b, from, data, dataLength, to - from);
        data[length - 1] = LF;
        dataLength = length;
    }

    private String eventType(byte[] b, int from, int to) {
        if (!Arrays.equals(typeBytes, 0, typeBytes.length, b, from, to)) {
            typeBytes = Arrays.copyOfRange(b, from, to);
            typeDecoded = decode(b, from, to);
        }
        return typeDecoded;
    }

    private void id(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return; // an id with NUL is ignored
            }
        }
        idBuffer = decode(b, from, to);
    }

    private void retry(byte[] b, int from, int to) {
        if (from == to) {
            return;
        }
        long millis = 0;
        for (int i = from; i < to; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                return; // only ASCII digits, else the field is ignored
            }
            millis = millis > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : millis * 10 + digit;
        }
        handler.onRetry(millis);
    }

    private void dispatch() {
        lastEventId = idBuffer;
        if (dataLength == 0) {
            type = "";
            return;
        }
        String text = decode(data, 0, dataLength - 1);
        String name = type.isEmpty() ? "message" : type;
        dataLength = 0;
        type = "";
        if (data.length > KEEP_BUFFER) {
            data = new byte[256];
        }
        handler.onEvent(new MessageEvent(name, text, lastEventId));
    }

    private static String decode(byte[] b, int from, int to) {
        return Utf8.decode(b, from, to);
    }
}
