package dev.runnel.bench.load;

import java.time.Instant;

/** Publish timestamps: microseconds since the epoch, comparable across processes on one machine. */
final class Clock {

    private Clock() {
    }

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** The decimal number at the start of {@code data} (after any non-digits), or -1. */
    static long leadingMicros(String data) {
        int i = 0;
        int n = data.length();
        while (i < n && !Character.isDigit(data.charAt(i))) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < n && digits < 18) {
            char c = data.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
            i++;
            digits++;
        }
        return digits >= 13 ? v : -1;
    }
}
