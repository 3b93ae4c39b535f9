package dev.runnel.mercure.internal;

/** The sets of characters (code points) the template grammar and the matcher test against. */
enum CharClass {
    /** What a variable of a simple, label, path or query expression expands to, unencoded. */
    UNRESERVED,
    /** What a variable of a reserved or fragment expression expands to, unencoded. */
    UNRESERVED_OR_RESERVED,
    HEX,
    /** Hex digits of a UTF-8 lead byte of a two-byte sequence: C or D. */
    LEAD_OF_TWO,
    /** The first hex digit of a UTF-8 continuation byte: 8, 9, A or B. */
    CONTINUATION,
    /** The second hex digit of a four-byte lead byte: 0 to 7. */
    OCTAL;

    boolean contains(int c) {
        return switch (this) {
            case UNRESERVED -> isUnreserved(c);
            case UNRESERVED_OR_RESERVED -> isUnreserved(c) || isReserved(c);
            case HEX -> isHex(c);
            case LEAD_OF_TWO -> c == 'C' || c == 'D' || c == 'c' || c == 'd';
            case CONTINUATION -> (c >= '8' && c <= '9') || (c >= 'A' && c <= 'B') || (c >= 'a' && c <= 'b');
            case OCTAL -> c >= '0' && c <= '7';
        };
    }

    static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    static boolean isHex(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** RFC 3986 unreserved: ALPHA, DIGIT, {@code - . _ ~}. */
    static boolean isUnreserved(int c) {
        return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 reserved: gen-delims and sub-delims. */
    static boolean isReserved(int c) {
        return switch (c) {
            case ':', '/', '?', '#', '[', ']', '@', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=' -> true;
            default -> false;
        };
    }

    /** RFC 3987 ucschar or iprivate: the characters an IRI holds beyond ASCII, which template literals may hold. */
    static boolean isIri(int c) {
        if (c < 0xA0) {
            return false;
        }
        if (c <= 0xD7FF) {
            return true;
        }
        if (c < 0xE000) {
            return false; // surrogates
        }
        if (c <= 0xFDCF) {
            return true; // private use E000-F8FF, then ucschar F900-FDCF
        }
        if (c < 0xFDF0) {
            return false; // noncharacters
        }
        if (c <= 0xFFEF) {
            return true;
        }
        if (c < 0x10000 || (c >= 0xE0000 && c < 0xE1000) || c > 0x10FFFF) {
            return false;
        }
        return (c & 0xFFFF) <= 0xFFFD; // every plane ends with two noncharacters
    }

    /** RFC 6570 literals, but for {@code %}, which the parser checks as a triplet. */
    static boolean isLiteral(int c) {
        if (c < 0x80) {
            return c > 0x20 && c < 0x7F && "\"'%<>\\^`{|}".indexOf(c) < 0;
        }
        return isIri(c);
    }
}
