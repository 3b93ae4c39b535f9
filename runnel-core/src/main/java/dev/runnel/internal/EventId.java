package dev.runnel.internal;

/** A hub event's id split in its epoch and sequence number: {@code EPOCH-SEQ}, in memory and on a log alike. */
record EventId(String epoch, long seq) {

    /** Longest Last-Event-ID looked at; longer is malformed. */
    static final int MAX_LENGTH = 128;
    static final EventId MALFORMED = new EventId("", -1);

    /** {@code EPOCH-SEQ}, or {@link #MALFORMED}. */
    static EventId parse(String id) {
        if (id.length() > MAX_LENGTH) {
            return MALFORMED;
        }
        int dash = id.lastIndexOf('-');
        if (dash <= 0 || dash == id.length() - 1) {
            return MALFORMED;
        }
        long value = 0;
        for (int i = dash + 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9' || i - dash > 18) {
                return MALFORMED;
            }
            value = value * 10 + (c - '0');
        }
        return new EventId(id.substring(0, dash), value);
    }

    /** {@code id} cut to the length the hub looks at, for logs and reset events. */
    static String shown(String id) {
        return id.length() > MAX_LENGTH ? id.substring(0, MAX_LENGTH) : id;
    }
}
