package dev.runnel.client.internal;

import java.util.Locale;

/**
 * The content codings this client decodes: {@code gzip} always (the JDK's inflater), {@code zstd}
 * when zstd-jni is on the class path, found when first asked and never loaded otherwise.
 */
public final class ContentDecoders {

    private ContentDecoders() {
    }

    /** The {@code Accept-Encoding} value naming what can be decoded here: {@code gzip}, or {@code gzip, zstd}. */
    public static String acceptEncoding() {
        return ZstdDecoder.available() ? "gzip, zstd" : "gzip";
    }

    /**
     * A decoder for a response's {@code Content-Encoding} (its values joined by commas), or
     * {@code null} when the body is not coded ({@code null}, empty, {@code identity}).
     *
     * @throws UnsupportedCodingException for a coding this client cannot decode, or more than one
     */
    public static ContentDecoder open(String contentEncoding) throws UnsupportedCodingException {
        String coding = null;
        if (contentEncoding != null) {
            for (String token : contentEncoding.split(",")) {
                String name = token.strip().toLowerCase(Locale.ROOT);
                if (name.isEmpty() || name.equals("identity")) {
                    continue;
                }
                if (coding != null) {
                    throw new UnsupportedCodingException("the response's Content-Encoding is \"" + contentEncoding
                            + "\": more than one coding, which this client does not decode (it decodes "
                            + acceptEncoding() + ", one at a time)");
                }
                coding = name;
            }
        }
        if (coding == null) {
            return null;
        }
        return switch (coding) {
            case "gzip", "x-gzip" -> new GzipDecoder();
            case "zstd" -> {
                if (!ZstdDecoder.available()) {
                    throw new UnsupportedCodingException("the response's Content-Encoding is zstd, which this client"
                            + " decodes only with zstd-jni (com.github.luben:zstd-jni) on the class path; it was not found ("
                            + ZstdDecoder.whyUnavailable() + "). Without it the client asks for gzip only: a server that"
                            + " answers zstd anyway ignored Accept-Encoding or was asked by a header of the application");
                }
                yield new ZstdDecoder();
            }
            default -> throw new UnsupportedCodingException("the response's Content-Encoding is \"" + contentEncoding
                    + "\", which this client cannot decode (it decodes " + acceptEncoding() + ")");
        };
    }
}
