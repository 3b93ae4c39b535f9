package dev.runnel.mercure.internal;

/**
 * The expression operators of RFC 6570 with the expansion table of its appendix A: what an
 * expression starts with, what separates its values, whether values are named, what a named
 * empty value expands to, and whether reserved characters pass through unencoded.
 */
enum Operator {
    SIMPLE(-1, ',', false, false, false),
    RESERVED(-1, ',', false, false, true),
    FRAGMENT('#', ',', false, false, true),
    LABEL('.', '.', false, false, false),
    PATH('/', '/', false, false, false),
    PARAMETER(';', ';', true, false, false),
    QUERY('?', '&', true, true, false),
    CONTINUATION('&', '&', true, true, false);

    /** The character an expansion starts with, or -1 for none. */
    final int first;
    /** The character between values. */
    final char separator;
    /** Whether values are written {@code name=value}. */
    final boolean named;
    /** Whether a named empty value is written {@code name=} (else {@code name}). */
    final boolean equalsWhenEmpty;
    /** Whether reserved characters and percent-encoded triplets pass through. */
    final boolean allowsReserved;

    Operator(int first, char separator, boolean named, boolean equalsWhenEmpty, boolean allowsReserved) {
        this.first = first;
        this.separator = separator;
        this.named = named;
        this.equalsWhenEmpty = equalsWhenEmpty;
        this.allowsReserved = allowsReserved;
    }

    /** The operator written as {@code c}, or {@code null} if {@code c} is none. */
    static Operator of(int c) {
        return switch (c) {
            case '+' -> RESERVED;
            case '#' -> FRAGMENT;
            case '.' -> LABEL;
            case '/' -> PATH;
            case ';' -> PARAMETER;
            case '?' -> QUERY;
            case '&' -> CONTINUATION;
            default -> null;
        };
    }
}
