package dev.runnel.internal.deflate;

import java.util.Arrays;

import static dev.runnel.internal.deflate.Huffman.DISTANCES;
import static dev.runnel.internal.deflate.Huffman.DISTANCE_EXTRA;
import static dev.runnel.internal.deflate.Huffman.END_OF_BLOCK;
import static dev.runnel.internal.deflate.Huffman.FIXED_DISTANCE_CODES;
import static dev.runnel.internal.deflate.Huffman.FIXED_DISTANCE_LENGTHS;
import static dev.runnel.internal.deflate.Huffman.FIXED_LITERAL_CODES;
import static dev.runnel.internal.deflate.Huffman.FIXED_LITERAL_LENGTHS;
import static dev.runnel.internal.deflate.Huffman.LENGTH_CODE;
import static dev.runnel.internal.deflate.Huffman.LENGTH_EXTRA;
import static dev.runnel.internal.deflate.Huffman.LITERALS;

/**
 * Collects one block's literals and matches and writes the block in whichever form is smallest:
 * stored, fixed Huffman codes or dynamic Huffman codes (RFC 1951 section 3.2.3).
 */
final class BlockWriter {

    /** Order in which code length code lengths are sent (section 3.2.7). */
    private static final byte[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    /**
     * Below this many bits in fixed codes a dynamic block cannot pay for its own header (the code
     * lengths of at least 257 + 1 symbols cost well over this), so its trees are not built at all:
     * this keeps small events, the common case, cheap.
     */
    private static final int DYNAMIC_WORTH_TRYING_BITS = 8 * 96;

    private static final int STORED_MAX = 65535;

    private final int capacity;
    /** Per symbol: the literal, or the match length minus 3. */
    private final byte[] symbolLiterals;
    /** Per symbol: 0 for a literal, else the match distance. */
    private final char[] symbolDistances;
    private int symbols;

    private final int[] literalFrequencies = new int[LITERALS];
    private final int[] distanceFrequencies = new int[DISTANCES];
    private int fixedBits;
    private int extraBits;

    // dynamic trees and their scratch
    private final byte[] literalLengths = new byte[LITERALS];
    private final short[] literalCodes = new short[LITERALS];
    private final byte[] distanceLengths = new byte[DISTANCES];
    private final short[] distanceCodes = new short[DISTANCES];
    private final byte[] sequence = new byte[LITERALS + DISTANCES];
    /** Run-length coded code lengths: symbol in the low 5 bits, repeat bits above. */
    private final int[] runs = new int[LITERALS + DISTANCES];
    private int runCount;
    private int headerLiterals;
    private int headerDistances;
    private int headerOrder;
    private final int[] codeLengthFrequencies = new int[19];
    private final byte[] codeLengthLengths = new byte[19];
    private final short[] codeLengthCodes = new short[19];
    private final int[] sorted = new int[LITERALS];
    private final int[] depths = new int[LITERALS];
    private final int[] counts = new int[16];

    BlockWriter(int capacity) {
        this.capacity = capacity;
        this.symbolLiterals = new byte[capacity];
        this.symbolDistances = new char[capacity];
    }

    boolean isEmpty() {
        return symbols == 0;
    }

    /** Adds a literal; true when the block is full and must be written. */
    boolean literal(int b) {
        int i = symbols;
        symbolLiterals[i] = (byte) b;
        symbolDistances[i] = 0;
        literalFrequencies[b & 0xFF]++;
        fixedBits += FIXED_LITERAL_LENGTHS[b & 0xFF];
        return (symbols = i + 1) == capacity;
    }

    /** Adds a match of {@code length} 3..258 at {@code distance} back; true when the block is full. */
    boolean match(int length, int distance) {
        int i = symbols;
        symbolLiterals[i] = (byte) (length - 3);
        symbolDistances[i] = (char) distance;
        int lengthCode = LENGTH_CODE[length - 3];
        int distanceCode = Huffman.distanceCode(distance);
        literalFrequencies[257 + lengthCode]++;
        distanceFrequencies[distanceCode]++;
        int extra = LENGTH_EXTRA[lengthCode] + DISTANCE_EXTRA[distanceCode];
        extraBits += extra;
        fixedBits += FIXED_LITERAL_LENGTHS[257 + lengthCode] + 5 + extra;
        return (symbols = i + 1) == capacity;
    }

    /**
     * Writes the collected symbols as one non-final block; {@code raw[start..start+rawLength)} are
     * the bytes they stand for (for a stored block).
     */
    void write(BitOutput out, byte[] raw, int start, int rawLength) {
        if (symbols == 0) {
            return;
        }
        long fixed = 3 + fixedBits + FIXED_LITERAL_LENGTHS[END_OF_BLOCK];
        long stored = storedBits(rawLength, out.bitOffset());
        long dynamic = Long.MAX_VALUE;
        if (fixed > DYNAMIC_WORTH_TRYING_BITS) {
            dynamic = buildDynamic();
        }
        if (stored < fixed && stored < dynamic) {
            writeStored(out, raw, start, rawLength);
        } else if (dynamic < fixed) {
            out.reserve((int) (dynamic >>> 3) + 8);
            writeDynamicHeader(out);
            writeSymbols(out, literalCodes, literalLengths, distanceCodes, distanceLengths);
        } else {
            out.reserve((int) (fixed >>> 3) + 8);
            out.bits(1 << 1, 3);
            writeSymbols(out, FIXED_LITERAL_CODES, FIXED_LITERAL_LENGTHS, FIXED_DISTANCE_CODES, FIXED_DISTANCE_LENGTHS);
        }
        reset();
    }

    private static long storedBits(int rawLength, int bitOffset) {
        int chunks = Math.max(1, (rawLength + STORED_MAX - 1) / STORED_MAX);
        // the first header ends wherever the bits are; each later one starts byte-aligned
        int firstPad = (8 - ((bitOffset + 3) & 7)) & 7;
        return 3 + firstPad + 32 + (chunks - 1) * (8 + 32L) + 8L * rawLength;
    }

    private void writeStored(BitOutput out, byte[] raw, int start, int rawLength) {
        out.reserve(rawLength + 5 * (rawLength / STORED_MAX + 1) + 8);
        int offset = start;
        int left = rawLength;
        do {
            int n = Math.min(left, STORED_MAX);
            out.bits(0, 3);
            out.alignToByte();
            out.shortLE(n);
            out.shortLE(~n & 0xFFFF);
            out.bytes(raw, offset, n);
            offset += n;
            left -= n;
        } while (left > 0);
    }

    private void writeSymbols(BitOutput out, short[] litCodes, byte[] litLengths, short[] distCodes, byte[] distLengths) {
        byte[] literals = symbolLiterals;
        char[] distances = symbolDistances;
        for (int i = 0, n = symbols; i < n; i++) {
            int lit = literals[i] & 0xFF;
            int distance = distances[i];
            if (distance == 0) {
                out.bits(litCodes[lit] & 0xFFFF, litLengths[lit]);
            } else {
                int lengthCode = LENGTH_CODE[lit];
                int symbol = 257 + lengthCode;
                int lengthExtra = LENGTH_EXTRA[lengthCode];
                int codeLength = litLengths[symbol];
                out.bits((litCodes[symbol] & 0xFFFF) | (lit + 3 - Huffman.LENGTH_BASE[lengthCode]) << codeLength,
                        codeLength + lengthExtra);
                int distanceCode = Huffman.distanceCode(distance);
                int distanceLength = distLengths[distanceCode];
                out.bits((distCodes[distanceCode] & 0xFFFF)
                        | (distance - Huffman.DISTANCE_BASE[distanceCode]) << distanceLength,
                        distanceLength + DISTANCE_EXTRA[distanceCode]);
            }
        }
        out.bits(litCodes[END_OF_BLOCK] & 0xFFFF, litLengths[END_OF_BLOCK]);
    }

    /** Builds the dynamic trees and returns the block's size with them, in bits. */
    private long buildDynamic() {
        literalFrequencies[END_OF_BLOCK] = 1;
        Huffman.lengths(literalFrequencies, LITERALS, 15, literalLengths, sorted, depths, counts);
        Huffman.lengths(distanceFrequencies, DISTANCES, 15, distanceLengths, sorted, depths, counts);
        long bits = 3 + 5 + 5 + 4 + extraBits;
        for (int s = 0; s < LITERALS; s++) {
            bits += (long) literalFrequencies[s] * literalLengths[s];
        }
        for (int s = 0; s < DISTANCES; s++) {
            bits += (long) distanceFrequencies[s] * distanceLengths[s];
        }
        int literalCount = LITERALS;
        while (literalCount > 257 && literalLengths[literalCount - 1] == 0) {
            literalCount--;
        }
        int distanceCount = DISTANCES;
        while (distanceCount > 1 && distanceLengths[distanceCount - 1] == 0) {
            distanceCount--;
        }
        System.arraycopy(literalLengths, 0, sequence, 0, literalCount);
        System.arraycopy(distanceLengths, 0, sequence, literalCount, distanceCount);
        runLengths(literalCount + distanceCount);
        headerLiterals = literalCount;
        headerDistances = distanceCount;
        Huffman.lengths(codeLengthFrequencies, 19, 7, codeLengthLengths, sorted, depths, counts);
        int orderCount = 19;
        while (orderCount > 4 && codeLengthLengths[CODE_LENGTH_ORDER[orderCount - 1]] == 0) {
            orderCount--;
        }
        headerOrder = orderCount;
        bits += 3L * orderCount;
        for (int s = 0; s < 19; s++) {
            int extra = s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0;
            bits += (long) codeLengthFrequencies[s] * (codeLengthLengths[s] + extra);
        }
        return bits;
    }

    /** Run-length codes {@code sequence[0..n)} with symbols 16, 17 and 18 (section 3.2.7). */
    private void runLengths(int n) {
        Arrays.fill(codeLengthFrequencies, 0);
        int count = 0;
        for (int i = 0; i < n; ) {
            int len = sequence[i];
            int run = 1;
            while (i + run < n && sequence[i + run] == len) {
                run++;
            }
            i += run;
            if (len == 0) {
                while (run >= 11) {
                    int r = Math.min(run, 138);
                    runs[count++] = 18 | (r - 11) << 5;
                    run -= r;
                }
                if (run >= 3) {
                    runs[count++] = 17 | (run - 3) << 5;
                    run = 0;
                }
            } else {
                runs[count++] = len;
                run--;
                while (run >= 3) {
                    int r = Math.min(run, 6);
                    runs[count++] = 16 | (r - 3) << 5;
                    run -= r;
                }
            }
            while (run > 0) {
                runs[count++] = len;
                run--;
            }
        }
        for (int i = 0; i < count; i++) {
            codeLengthFrequencies[runs[i] & 31]++;
        }
        runCount = count;
    }

    /** Writes the header of a dynamic block; its codes are made here, as most blocks end up fixed. */
    private void writeDynamicHeader(BitOutput out) {
        Huffman.canonicalCodes(literalLengths, LITERALS, literalCodes, counts);
        Huffman.canonicalCodes(distanceLengths, DISTANCES, distanceCodes, counts);
        Huffman.canonicalCodes(codeLengthLengths, 19, codeLengthCodes, counts);
        out.bits(2 << 1, 3);
        out.bits(headerLiterals - 257, 5);
        out.bits(headerDistances - 1, 5);
        out.bits(headerOrder - 4, 4);
        for (int i = 0; i < headerOrder; i++) {
            out.bits(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
        }
        for (int i = 0; i < runCount; i++) {
            int symbol = runs[i] & 31;
            int repeat = runs[i] >>> 5;
            out.bits(codeLengthCodes[symbol] & 0xFFFF, codeLengthLengths[symbol]);
            if (symbol == 16) {
                out.bits(repeat, 2);
            } else if (symbol == 17) {
                out.bits(repeat, 3);
            } else if (symbol == 18) {
                out.bits(repeat, 7);
            }
        }
    }

    private void reset() {
        if (symbols < 64) {
            // few symbols: clearing what they touched beats clearing the whole tables
            for (int i = 0; i < symbols; i++) {
                int distance = symbolDistances[i];
                int lit = symbolLiterals[i] & 0xFF;
                if (distance == 0) {
                    literalFrequencies[lit] = 0;
                } else {
                    literalFrequencies[257 + LENGTH_CODE[lit]] = 0;
                    distanceFrequencies[Huffman.distanceCode(distance)] = 0;
                }
            }
            literalFrequencies[END_OF_BLOCK] = 0;
        } else {
            Arrays.fill(literalFrequencies, 0);
            Arrays.fill(distanceFrequencies, 0);
        }
        symbols = 0;
        fixedBits = 0;
        extraBits = 0;
    }

    long memoryBytes() {
        return Sizes.OBJECT + Sizes.array(capacity) + Sizes.array(2L * capacity)
                + Sizes.array(4L * LITERALS) + Sizes.array(4L * DISTANCES)
                + Sizes.array(LITERALS) + Sizes.array(2L * LITERALS) + Sizes.array(DISTANCES) + Sizes.array(2L * DISTANCES)
                + Sizes.array(LITERALS + DISTANCES) + Sizes.array(4L * (LITERALS + DISTANCES))
                + Sizes.array(4 * 19) + Sizes.array(19) + Sizes.array(2 * 19)
                + 2 * Sizes.array(4L * LITERALS) + Sizes.array(4 * 16);
    }
}
