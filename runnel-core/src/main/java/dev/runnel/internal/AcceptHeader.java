package dev.runnel.internal;

import java.util.Locale;

/** Decides whether a request's {@code Accept} header allows {@code text/event-stream}. */
public final class AcceptHeader {

    private AcceptHeader() {
    }

    /**
     * True when {@code accept} is absent or blank, or its most specific range that matches
     * {@code text/event-stream} ({@code text/event-stream}, {@code text/*} or {@code *}{@code /*}) has
     * a quality above zero.
     */
    public static boolean allowsEventStream(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        int bestSpecificity = -1;
        double bestQuality = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            int specificity = switch (type) {
                case "text/event-stream" -> 2;
                case "text/*" -> 1;
                case "*/*", "*" -> 0;
                default -> -1;
            };
            if (specificity < 0 || specificity < bestSpecificity) {
                continue;
            }
            double quality = 1;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        quality = Double.parseDouble(param.substring(2).trim());
                    } catch (NumberFormatException e) {
                        quality = 1; // a malformed weight is ignored, as most servers do
                    }
                }
            }
            bestSpecificity = specificity;
            bestQuality = quality;
        }
        return bestSpecificity >= 0 && bestQuality > 0;
    }
}
