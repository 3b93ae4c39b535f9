package dev.runnel.internal.deflate;

import java.util.Arrays;

/**
 * Length-limited canonical Huffman codes for deflate (RFC 1951 section 3.2.2), and the tables of the
 * length and distance codes (section 3.2.5) and of the fixed codes (section 3.2.6).
 *
 * <p>Code lengths come from the in-place minimum-redundancy algorithm of Moffat and Katajainen on
 * the symbols sorted by frequency; a code longer than the limit is shortened by moving leaves up
 * until the Kraft sum is one again. Codes are stored bit-reversed, ready for {@link BitOutput}.
 */
final class Huffman {

    static final int LITERALS = 286;
    static final int DISTANCES = 30;
    static final int END_OF_BLOCK = 256;

    /** Length code (0..28, add 257) of match length minus 3. */
    static final byte[] LENGTH_CODE = new byte[256];
    /** Extra bits and base length of each length code. */
    static final byte[] LENGTH_EXTRA = new byte[29];
    static final short[] LENGTH_BASE = new short[29];
    /** Extra bits and base distance of each distance code. */
    static final byte[] DISTANCE_EXTRA = new byte[30];
    static final int[] DISTANCE_BASE = new int[30];

    static final byte[] FIXED_LITERAL_LENGTHS = new byte[288];
    static final short[] FIXED_LITERAL_CODES = new short[288];
    static final byte[] FIXED_DISTANCE_LENGTHS = new byte[30];
    static final short[] FIXED_DISTANCE_CODES = new short[30];

    static {
        int length = 3;
        for (int code = 0; code < 28; code++) {
            int extra = code < 8 ? 0 : (code >> 2) - 1;
            LENGTH_EXTRA[code] = (byte) extra;
            LENGTH_BASE[code] = (short) length;
            for (int i = 0; i < 1 << extra; i++) {
                LENGTH_CODE[length - 3 + i] = (byte) code;
            }
            length += 1 << extra;
        }
        // 258 has a code of its own (285) although 284 could also express it
        LENGTH_CODE[255] = 28;
        LENGTH_EXTRA[28] = 0;
        LENGTH_BASE[28] = 258;
        int distance = 1;
        for (int code = 0; code < 30; code++) {
            int extra = code < 4 ? 0 : (code >> 1) - 1;
            DISTANCE_EXTRA[code] = (byte) extra;
            DISTANCE_BASE[code] = distance;
            distance += 1 << extra;
        }
        for (int s = 0; s < 288; s++) {
            FIXED_LITERAL_LENGTHS[s] = (byte) (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
        }
        Arrays.fill(FIXED_DISTANCE_LENGTHS, (byte) 5);
        canonicalCodes(FIXED_LITERAL_LENGTHS, 288, FIXED_LITERAL_CODES, new int[16]);
        canonicalCodes(FIXED_DISTANCE_LENGTHS, 30, FIXED_DISTANCE_CODES, new int[16]);
    }

    private Huffman() {
    }

    /** Distance code (0..29) of a distance from 1 to 32768. */
    static int distanceCode(int distance) {
        int d = distance - 1;
        if (d < 4) {
            return d;
        }
        int top = 31 - Integer.numberOfLeadingZeros(d);
        return 2 * top + ((d >>> (top - 1)) & 1);
    }

    /**
     * Sets {@code lengths[0..n)} to the lengths of an optimal prefix code for {@code frequencies}
     * with no code longer than {@code limit}. At least two symbols always get a code (one unused if
     * need be), so every code is complete, as strict decoders want.
     *
     * @param sorted scratch of at least {@code n} ints
     * @param depths scratch of at least {@code n} ints
     */
    static void lengths(int[] frequencies, int n, int limit, byte[] lengths, int[] sorted, int[] depths, int[] counts) {
        Arrays.fill(lengths, 0, n, (byte) 0);
        int used = 0;
        for (int s = 0; s < n; s++) {
            if (frequencies[s] != 0) {
                // frequency above, symbol below: sorting the packed values sorts by frequency
                sorted[used++] = frequencies[s] << 9 | s;
            }
        }
        for (int s = 0; used < 2; s++) {
            if (frequencies[s] == 0) {
                sorted[used++] = s;
            }
        }
        Arrays.sort(sorted, 0, used);
        for (int i = 0; i < used; i++) {
            depths[i] = Math.max(1, sorted[i] >>> 9);
        }
        minimumRedundancy(depths, used);
        Arrays.fill(counts, 0, limit + 1, 0);
        boolean tooLong = false;
        for (int i = 0; i < used; i++) {
            int d = depths[i];
            if (d > limit) {
                d = limit;
                tooLong = true;
            }
            counts[d]++;
        }
        if (tooLong) {
            limitLengths(counts, limit);
            // least frequent first: hand out the longest lengths first
            int i = 0;
            for (int len = limit; len >= 1; len--) {
                for (int k = counts[len]; k > 0; k--) {
                    depths[i++] = len;
                }
            }
        }
        for (int i = 0; i < used; i++) {
            lengths[sorted[i] & 0x1FF] = (byte) depths[i];
        }
    }

    /**
     * Moffat and Katajainen (1995), in place: {@code a[0..n)} holds weights in ascending order and
     * ends up holding the code length of each, longest first. Needs {@code n >= 2}.
     */
    private static void minimumRedundancy(int[] a, int n) {
        // phase 1: build the tree; a[] holds internal node weights, then parent indexes
        int leaf = 0;
        int root = 0;
        for (int next = 0; next < n - 1; next++) {
            if (leaf >= n || (root < next && a[root] < a[leaf])) {
                a[next] = a[root];
                a[root++] = next;
            } else {
                a[next] = a[leaf++];
            }
            if (leaf >= n || (root < next && a[root] < a[leaf])) {
                a[next] += a[root];
                a[root++] = next;
            } else {
                a[next] += a[leaf++];
            }
        }
        // phase 2: depth of each internal node from its parent's
        a[n - 2] = 0;
        for (int next = n - 3; next >= 0; next--) {
            a[next] = a[a[next]] + 1;
        }
        // phase 3: leaf depths from the number of internal nodes at each depth
        int available = 1;
        int internal = 0;
        int depth = 0;
        root = n - 2;
        int next = n - 1;
        while (available > 0) {
            while (root >= 0 && a[root] == depth) {
                internal++;
                root--;
            }
            while (available > internal) {
                a[next--] = depth;
                available--;
            }
            available = 2 * internal;
            depth++;
            internal = 0;
        }
    }

    /** With lengths clamped to {@code limit}, moves leaves down until the Kraft sum is exactly one. */
    private static void limitLengths(int[] counts, int limit) {
        long kraft = 0;
        for (int len = 1; len <= limit; len++) {
            kraft += (long) counts[len] << (limit - len);
        }
        while (kraft > 1L << limit) {
            // one leaf at the limit becomes the sibling of a shorter leaf pushed one level down
            counts[limit]--;
            for (int len = limit - 1; len > 0; len--) {
                if (counts[len] != 0) {
                    counts[len]--;
                    counts[len + 1] += 2;
                    break;
                }
            }
            kraft--;
        }
    }

    /** Canonical codes of {@code lengths[0..n)}, bit-reversed for LSB-first output. */
    static void canonicalCodes(byte[] lengths, int n, short[] codes, int[] next) {
        Arrays.fill(next, 0, 16, 0);
        for (int s = 0; s < n; s++) {
            next[lengths[s]]++;
        }
        next[0] = 0;
        int code = 0;
        int previousCount = 0;
        for (int len = 1; len < 16; len++) {
            code = (code + previousCount) << 1;
            previousCount = next[len];
            next[len] = code;
        }
        for (int s = 0; s < n; s++) {
            int len = lengths[s];
            if (len != 0) {
                codes[s] = (short) (Integer.reverse(next[len]++) >>> (32 - len));
            }
        }
    }
}
