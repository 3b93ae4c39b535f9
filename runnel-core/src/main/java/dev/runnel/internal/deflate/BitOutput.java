package dev.runnel.internal.deflate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The deflate bit stream (RFC 1951 section 3.1.1: bits packed from the least significant end of each
 * byte) written into a reusable array. Callers reserve room with {@link #reserve} before a run of
 * {@link #bits} calls, so the writes themselves do no bounds bookkeeping.
 */
final class BitOutput {

    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int initialCapacity;
    private byte[] buffer;
    private int length;
    private long pending;
    private int pendingBits;

    BitOutput(int initialCapacity) {
        this.initialCapacity = initialCapacity;
        this.buffer = new byte[initialCapacity];
    }

    /** Makes room for {@code bytes} more bytes (plus the word the bit writer may spill). */
    void reserve(int bytes) {
        long needed = (long) length + bytes + 16;
        if (needed > buffer.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new OutOfMemoryError("compressed output over 2 GiB in one call");
            }
            buffer = Arrays.copyOf(buffer, (int) Math.max(needed, Math.min(2L * buffer.length, Integer.MAX_VALUE - 16)));
        }
    }

    /** Appends the low {@code count} bits of {@code value} (count at most 32; higher bits must be zero). */
    void bits(int value, int count) {
        pending |= (value & 0xFFFFFFFFL) << pendingBits;
        pendingBits += count;
        if (pendingBits >= 32) {
            INTS.set(buffer, length, (int) pending);
            length += 4;
            pending >>>= 32;
            pendingBits -= 32;
        }
    }

    /** Pads with zero bits to the next byte boundary and writes out the pending bits. */
    void alignToByte() {
        while (pendingBits > 0) {
            buffer[length++] = (byte) pending;
            pending >>>= 8;
            pendingBits -= 8;
        }
        pending = 0;
        pendingBits = 0;
    }

    /** Bits written so far modulo 8. */
    int bitOffset() {
        return pendingBits & 7;
    }

    /** Appends bytes; only after {@link #alignToByte()} and a {@link #reserve} covering them. */
    void bytes(byte[] source, int offset, int count) {
        System.arraycopy(source, offset, buffer, length, count);
        length += count;
    }

    /** Appends a 16-bit little-endian value; byte-aligned only. */
    void shortLE(int value) {
        buffer[length++] = (byte) value;
        buffer[length++] = (byte) (value >>> 8);
    }

    /** Appends a 32-bit little-endian value; byte-aligned only. */
    void intLE(int value) {
        INTS.set(buffer, length, value);
        length += 4;
    }

    /**
     * Copies out everything written (byte-aligned) and starts over; the array goes back to its
     * first size when one large call grew it.
     */
    byte[] take() {
        byte[] out = Arrays.copyOf(buffer, length);
        length = 0;
        if (buffer.length > 4 * initialCapacity) {
            buffer = new byte[initialCapacity];
        }
        return out;
    }

    long memoryBytes() {
        return Sizes.array(buffer.length) + Sizes.OBJECT;
    }
}
