package dev.runnel.client.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How a test cuts a stream's bytes into the pieces a reader sees. */
public enum Delivery {
    /** All bytes in one piece. */
    WHOLE,
    /** A piece ends after every CR and every LF, so a CR LF is split in two. */
    LINES,
    /** One byte per piece: multibyte UTF-8 and the BOM are split too. */
    BYTES;

    public List<byte[]> split(byte[] bytes) {
        List<byte[]> pieces = new ArrayList<>();
        switch (this) {
            case WHOLE -> pieces.add(bytes);
            case BYTES -> {
                for (byte b : bytes) {
                    pieces.add(new byte[] {b});
                }
            }
            case LINES -> {
                int start = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\r' || bytes[i] == '\n') {
                        pieces.add(Arrays.copyOfRange(bytes, start, i + 1));
                        start = i + 1;
                    }
                }
                if (start < bytes.length) {
                    pieces.add(Arrays.copyOfRange(bytes, start, bytes.length));
                }
            }
        }
        return pieces;
    }
}
