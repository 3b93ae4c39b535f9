package dev.runnel.internal.deflate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * LZ77 over a sliding window (RFC 1951 section 4): finds repeats through a hash table of 3-byte
 * prefixes whose chains link earlier positions with the same hash, and hands literals and matches to
 * a {@link BlockWriter}. The window survives every call, so a later event can refer to earlier ones.
 *
 * <p>The buffer holds two windows: input is appended after the history, and when it is full the
 * upper half slides down. Positions are kept in {@code char}s (the buffer is at most 64 KiB) and 0
 * means "none", so the very first byte of a stream is never a match source. A match reaches back at
 * most {@code window - 262} bytes, so the history it reads is still in the buffer after a slide.
 */
final class DeflateEncoder {

    static final int MIN_MATCH = 3;
    static final int MAX_MATCH = 258;
    /** The lookahead below which matching waits for more input, unless the call ends. */
    static final int MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
    /** A 3-byte match further back than this costs more than three literals. */
    private static final int TOO_FAR = 4096;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final int windowSize;
    private final int windowMask;
    private final int maxDistance;
    private final int hashShift;
    private final byte[] window;
    private final char[] head;
    private final char[] prev;
    private final BlockWriter block;
    private final BitOutput out;

    private final boolean lazy;
    private final int goodLength;
    /** Lazy levels: no second look after a match this long. Greedy levels: longest match whose inside is hashed. */
    private final int lazyLength;
    private final int niceLength;
    private final int maxChain;

    /** Next position to encode. */
    private int position;
    /** End of the bytes in the window. */
    private int end;
    /** First position not yet in the hash table (lags only when the last bytes cannot be hashed yet). */
    private int hashed;
    /** First byte of the current block, and the end of the bytes its symbols stand for. */
    private int blockStart;
    private int blockEnd;

    // lazy matching: the byte at position - 1 is undecided, with the match found there
    private boolean undecided;
    private int previousLength = MIN_MATCH - 1;
    private int previousDistance;
    private int matchDistance;

    DeflateEncoder(int windowLog, int level, BitOutput out) {
        this.windowSize = 1 << windowLog;
        this.windowMask = windowSize - 1;
        this.maxDistance = windowSize - MIN_LOOKAHEAD;
        int hashBits = windowLog - 1;
        this.hashShift = 32 - hashBits;
        this.window = new byte[2 * windowSize];
        this.head = new char[1 << hashBits];
        this.prev = new char[windowSize];
        // a block's symbols cost 3 bytes each: a quarter window's worth keeps the default within 64 KiB
        this.block = new BlockWriter(Math.clamp(windowSize / 4, 256, 8192));
        this.out = out;
        // level: lazy, good, lazy (or insert) length, nice, chain
        int[] p = switch (level) {
            case 1 -> new int[] {0, 4, 4, 8, 4};
            case 2 -> new int[] {0, 4, 5, 16, 8};
            case 3 -> new int[] {0, 4, 6, 32, 32};
            case 4 -> new int[] {1, 4, 4, 16, 16};
            case 5 -> new int[] {1, 8, 16, 32, 32};
            case 6 -> new int[] {1, 8, 16, 128, 128};
            case 7 -> new int[] {1, 8, 32, 128, 256};
            case 8 -> new int[] {1, 32, 128, 258, 1024};
            case 9 -> new int[] {1, 32, 258, 258, 4096};
            default -> throw new IllegalArgumentException("gzip level must be from 1 to 9, was " + level);
        };
        this.lazy = p[0] == 1;
        this.goodLength = p[1];
        this.lazyLength = p[2];
        this.niceLength = p[3];
        this.maxChain = p[4];
    }

    /**
     * Encodes {@code source[from..to)} (absolute indexes; the buffer's position is not used or
     * changed). With {@code last}, everything is encoded and the block is written; otherwise up to
     * {@link #MIN_LOOKAHEAD} bytes may wait for the next call.
     */
    void deflate(ByteBuffer source, int from, int to, boolean last, CRC32 crc) {
        int index = from;
        while (true) {
            if (index < to) {
                if (end == window.length) {
                    slide();
                }
                int n = Math.min(to - index, window.length - end);
                source.get(index, window, end, n);
                crc.update(window, end, n);
                index += n;
                end += n;
            }
            boolean done = last && index == to;
            int stop = done ? end : end - MIN_LOOKAHEAD;
            if (lazy) {
                deflateLazy(stop);
            } else {
                deflateGreedy(stop);
            }
            if (done) {
                if (undecided) {
                    addLiteral(window[position - 1]);
                    undecided = false;
                    previousLength = MIN_MATCH - 1;
                }
                writeBlock();
                return;
            }
            if (index == to) {
                return;
            }
        }
    }

    private void deflateGreedy(int stop) {
        byte[] w = window;
        while (position < stop) {
            int candidate = insert(position);
            int maxLength = Math.min(MAX_MATCH, end - position);
            int length = 0;
            if (candidate > limit(position) && maxLength >= MIN_MATCH) {
                length = longestMatch(position, candidate, MIN_MATCH - 1, maxLength);
                if (length == MIN_MATCH && matchDistance > TOO_FAR) {
                    length = 0;
                }
            }
            if (length >= MIN_MATCH) {
                addMatch(length, matchDistance);
                int matchEnd = position + length;
                if (length <= lazyLength) {
                    insertUpTo(matchEnd);
                } else {
                    hashed = Math.max(hashed, matchEnd);
                }
                position = matchEnd;
            } else {
                addLiteral(w[position]);
                position++;
            }
        }
    }

    private void deflateLazy(int stop) {
        while (position < stop) {
            int candidate = insert(position);
            int maxLength = Math.min(MAX_MATCH, end - position);
            int length = MIN_MATCH - 1;
            if (candidate > limit(position) && previousLength < lazyLength && maxLength >= MIN_MATCH) {
                length = longestMatch(position, candidate, previousLength, maxLength);
                if (length == MIN_MATCH && matchDistance > TOO_FAR) {
                    length = MIN_MATCH - 1;
                }
            }
            if (previousLength >= MIN_MATCH && length <= previousLength) {
                // the match found one byte back is at least as good: take it
                addMatch(previousLength, previousDistance);
                int matchEnd = position - 1 + previousLength;
                insertUpTo(matchEnd);
                position = matchEnd;
                undecided = false;
                previousLength = MIN_MATCH - 1;
            } else {
                if (undecided) {
                    addLiteral(window[position - 1]);
                }
                undecided = true;
                previousLength = length;
                previousDistance = matchDistance;
                position++;
            }
        }
    }

    /** Candidates must lie above this: at most {@code maxDistance} back, and never position 0 ("none"). */
    private int limit(int at) {
        return at > maxDistance ? at - maxDistance - 1 : 0;
    }

    /**
     * Hashes every position before {@code at} still missing, then {@code at} itself, and returns the
     * previous position with {@code at}'s hash (0 for none, or when {@code at} cannot be hashed yet).
     */
    private int insert(int at) {
        insertUpTo(at);
        if (hashed != at || at + MIN_MATCH > end) {
            return 0;
        }
        hashed = at + 1;
        return link(at);
    }

    private void insertUpTo(int to) {
        int last = Math.min(to, end - MIN_MATCH + 1);
        for (int p = hashed; p < last; p++) {
            link(p);
        }
        if (last > hashed) {
            hashed = last;
        }
    }

    private int link(int p) {
        byte[] w = window;
        int h = ((w[p] & 0xFF) | (w[p + 1] & 0xFF) << 8 | (w[p + 2] & 0xFF) << 16) * 0x9E3779B1 >>> hashShift;
        int previous = head[h];
        prev[p & windowMask] = (char) previous;
        head[h] = (char) p;
        return previous;
    }

    /**
     * Walks the hash chain from {@code candidate} for a match longer than {@code best}; returns its
     * length (or {@code best}) and leaves its distance in {@link #matchDistance}.
     */
    private int longestMatch(int at, int candidate, int best, int maxLength) {
        if (best >= maxLength) {
            return best;
        }
        byte[] w = window;
        char[] chain = prev;
        int mask = windowMask;
        int chainLeft = best >= goodLength ? maxChain >> 2 : maxChain;
        int nice = Math.min(niceLength, maxLength);
        int stop = limit(at);
        byte first = w[at];
        byte second = w[at + 1];
        byte lastButOne = w[at + best - 1];
        byte last = w[at + best];
        int distance = 0;
        do {
            if (w[candidate + best] == last && w[candidate + best - 1] == lastButOne
                    && w[candidate] == first && w[candidate + 1] == second) {
                int length = 2 + commonLength(w, candidate + 2, at + 2, maxLength - 2);
                if (length > best) {
                    best = length;
                    distance = at - candidate;
                    if (length >= nice) {
                        break;
                    }
                    lastButOne = w[at + best - 1];
                    last = w[at + best];
                }
            }
            candidate = chain[candidate & mask];
        } while (candidate > stop && --chainLeft != 0);
        matchDistance = distance;
        return best;
    }

    private static int commonLength(byte[] w, int a, int b, int max) {
        int i = 0;
        while (i + 8 <= max) {
            long diff = (long) LONGS.get(w, a + i) ^ (long) LONGS.get(w, b + i);
            if (diff != 0) {
                return i + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            i += 8;
        }
        while (i < max && w[a + i] == w[b + i]) {
            i++;
        }
        return i;
    }

    private void addLiteral(byte b) {
        blockEnd++;
        if (block.literal(b)) {
            writeBlock();
        }
    }

    private void addMatch(int length, int distance) {
        blockEnd += length;
        if (block.match(length, distance)) {
            writeBlock();
        }
    }

    private void writeBlock() {
        block.write(out, window, blockStart, blockEnd - blockStart);
        blockStart = blockEnd;
    }

    /** Moves the upper window down; the block so far is written first, as its bytes move. */
    private void slide() {
        writeBlock();
        int size = windowSize;
        System.arraycopy(window, size, window, 0, size);
        position -= size;
        end -= size;
        hashed -= size;
        blockStart -= size;
        blockEnd -= size;
        slide(head, size);
        slide(prev, size);
    }

    private static void slide(char[] table, int size) {
        // branch-free, so the JIT can vectorise it: positions that slide out become 0, "none"
        for (int i = 0; i < table.length; i++) {
            table[i] = (char) Math.max(table[i] - size, 0);
        }
    }

    long memoryBytes() {
        return Sizes.OBJECT + Sizes.array(window.length) + Sizes.array(2L * head.length)
                + Sizes.array(2L * prev.length) + block.memoryBytes();
    }
}
