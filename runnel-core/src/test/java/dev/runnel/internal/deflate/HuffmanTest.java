package dev.runnel.internal.deflate;

import dev.runnel.internal.GzipCoding;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HuffmanTest {

    private static double kraft(byte[] lengths, int n) {
        double sum = 0;
        for (int s = 0; s < n; s++) {
            if (lengths[s] != 0) {
                sum += Math.pow(2, -lengths[s]);
            }
        }
        return sum;
    }

    private static byte[] lengths(int[] frequencies, int limit) {
        int n = frequencies.length;
        byte[] lengths = new byte[n];
        Huffman.lengths(frequencies, n, limit, lengths, new int[n], new int[n], new int[16]);
        return lengths;
    }

    @Test
    void fibonacciFrequenciesAreLimitedToFifteenBitsAndStayComplete() {
        int[] frequencies = new int[286];
        int a = 1;
        int b = 1;
        for (int s = 0; s < 22; s++) {
            frequencies[s] = a;
            int c = a + b;
            a = b;
            b = c;
        }
        byte[] lengths = lengths(frequencies, 15);
        for (int s = 0; s < 22; s++) {
            assertThat(lengths[s]).as("symbol %d", s).isBetween((byte) 1, (byte) 15);
        }
        assertThat(kraft(lengths, 286)).isEqualTo(1.0);
        // more frequent never gets a longer code
        for (int s = 1; s < 22; s++) {
            assertThat(lengths[s]).isLessThanOrEqualTo(lengths[s - 1]);
        }
    }

    @Test
    void codeLengthAlphabetIsLimitedToSevenBits() {
        int[] frequencies = new int[19];
        for (int s = 0; s < 19; s++) {
            frequencies[s] = 1 << Math.min(s, 16);
        }
        byte[] lengths = lengths(frequencies, 7);
        for (int s = 0; s < 19; s++) {
            assertThat(lengths[s]).isBetween((byte) 1, (byte) 7);
        }
        assertThat(kraft(lengths, 19)).isEqualTo(1.0);
    }

    @Test
    void oneUsedSymbolStillGetsACompleteTwoCodeTree() {
        int[] frequencies = new int[30];
        frequencies[7] = 12;
        byte[] lengths = lengths(frequencies, 15);
        assertThat(lengths[7]).isEqualTo((byte) 1);
        assertThat(kraft(lengths, 30)).isEqualTo(1.0);
    }

    @Test
    void noUsedSymbolGetsTwoOneBitCodes() {
        byte[] lengths = lengths(new int[30], 15);
        assertThat(kraft(lengths, 30)).isEqualTo(1.0);
    }

    @Test
    void canonicalCodesFollowTheRfcExample() {
        // RFC 1951 section 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) give codes 010 011 100 101 110 00 1110 1111
        byte[] lengths = {3, 3, 3, 3, 3, 2, 4, 4};
        short[] codes = new short[8];
        Huffman.canonicalCodes(lengths, 8, codes, new int[16]);
        int[] expected = {0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111};
        for (int s = 0; s < 8; s++) {
            assertThat(Integer.reverse(codes[s]) >>> (32 - lengths[s])).as("symbol %d", s).isEqualTo(expected[s]);
        }
    }

    @Test
    void distanceCodesMatchTheRfcTable() {
        assertThat(Huffman.distanceCode(1)).isZero();
        assertThat(Huffman.distanceCode(4)).isEqualTo(3);
        assertThat(Huffman.distanceCode(5)).isEqualTo(4);
        assertThat(Huffman.distanceCode(7)).isEqualTo(5);
        assertThat(Huffman.distanceCode(9)).isEqualTo(6);
        assertThat(Huffman.distanceCode(24577)).isEqualTo(29);
        assertThat(Huffman.distanceCode(32768)).isEqualTo(29);
        for (int d = 1; d <= 32768; d++) {
            int code = Huffman.distanceCode(d);
            assertThat(d).isBetween(Huffman.DISTANCE_BASE[code],
                    Huffman.DISTANCE_BASE[code] + (1 << Huffman.DISTANCE_EXTRA[code]) - 1);
        }
    }

    @Test
    void lengthCodesMatchTheRfcTable() {
        for (int length = 3; length <= 258; length++) {
            int code = Huffman.LENGTH_CODE[length - 3];
            assertThat(length).isBetween((int) Huffman.LENGTH_BASE[code],
                    Huffman.LENGTH_BASE[code] + (1 << Huffman.LENGTH_EXTRA[code]) - 1);
        }
        assertThat(Huffman.LENGTH_CODE[258 - 3]).as("258 is code 285").isEqualTo((byte) 28);
        assertThat(Huffman.LENGTH_CODE[227 - 3]).as("227 is code 284").isEqualTo((byte) 27);
    }

    @Test
    void skewedLiteralsNeedingLongCodesRoundTrip() {
        // literal frequencies in Fibonacci proportions with no repeats of 3 bytes: a dynamic block
        // whose optimal code would be longer than 15 bits
        SplittableRandom rnd = new SplittableRandom(9);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        int a = 1;
        int b = 1;
        int[] counts = new int[20];
        for (int s = 0; s < 20; s++) {
            counts[s] = a;
            int c = a + b;
            a = b;
            b = c;
        }
        byte[] pool = new byte[7000];
        int k = 0;
        for (int s = 0; s < 20; s++) {
            for (int i = 0; i < counts[s] && k < pool.length; i++) {
                pool[k++] = (byte) (s * 11);
            }
        }
        for (int i = k - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            byte t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        input.write(pool, 0, k);
        byte[] bytes = input.toByteArray();
        try (IncrementalGunzip gunzip = new IncrementalGunzip()) {
            var c = new GzipCoding().open(15, 9);
            assertThat(gunzip.feed(c.compress(ByteBuffer.wrap(bytes)))).isEqualTo(bytes);
            c.close();
        }
    }
}
