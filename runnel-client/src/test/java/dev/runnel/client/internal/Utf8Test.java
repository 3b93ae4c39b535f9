package dev.runnel.client.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** UTF-8 decoding per the WHATWG Encoding standard, malformed input included. */
class Utf8Test {

    private static String decode(int... octets) {
        byte[] b = new byte[octets.length];
        for (int i = 0; i < octets.length; i++) {
            b[i] = (byte) octets[i];
        }
        return Utf8.decode(b, 0, b.length);
    }

    @Test
    void validTextDecodesAsIs() {
        String text = "plain, caf\u00e9, \u2713, \uD83D\uDE00, and a real \uFFFD";
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.decode(b, 0, b.length)).isEqualTo(text);
        assertThat(Utf8.whatwg(b, 0, b.length)).isEqualTo(text);
    }

    @Test
    void anEncodedSurrogateIsOneReplacementPerByte() {
        assertThat(decode(0xED, 0xA0, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD");
    }

    @Test
    void aTruncatedSequenceIsOneReplacement() {
        assertThat(decode('a', 0xE2, 0x82)).isEqualTo("a\uFFFD");
        assertThat(decode(0xF0, 0x9F, 0x98, 'x')).isEqualTo("\uFFFDx");
    }

    @Test
    void overlongAndOutOfRangeSequencesAreOneReplacementPerByte() {
        assertThat(decode(0xC0, 0x80)).isEqualTo("\uFFFD\uFFFD");
        assertThat(decode(0xE0, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xF4, 0x90, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xF5, 'a')).isEqualTo("\uFFFDa");
    }

    @Test
    void aLoneContinuationByteIsOneReplacement() {
        assertThat(decode(0x80, 0xBF)).isEqualTo("\uFFFD\uFFFD");
    }
}
