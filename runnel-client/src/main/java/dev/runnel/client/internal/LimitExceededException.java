package dev.runnel.client.internal;

import java.io.IOException;

/** A line or an event's data exceeded its size limit; names the option. */
public final class LimitExceededException extends IOException {

    private final String option;
    private final int limit;

    public LimitExceededException(String option, int limit) {
        super(option + " (" + limit + " bytes) exceeded");
        this.option = option;
        this.limit = limit;
    }

    public String option() {
        return option;
    }

    public int limit() {
        return limit;
    }
}
