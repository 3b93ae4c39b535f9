package dev.runnel.internal;

import dev.runnel.hub.Resumed;

/**
 * Where a subscription resumes, resolved from its {@code Last-Event-ID} when it is made, before the
 * response starts: nothing to replay, after one event, from the earliest held, or a reset.
 *
 * @param seq for {@link Resumed#FOUND}, the sequence number to replay after
 * @param resetReason for {@link Resumed#NOT_FOUND}, why: {@code malformed}, {@code unknown} or {@code expired}
 */
record ResumePoint(Resumed outcome, long seq, String resetReason) {

    static final ResumePoint NONE = new ResumePoint(Resumed.NONE, 0, null);
    static final ResumePoint EARLIEST = new ResumePoint(Resumed.EARLIEST, -1, null);

    static ResumePoint after(long seq) {
        return new ResumePoint(Resumed.FOUND, seq, null);
    }

    static ResumePoint reset(String reason) {
        return new ResumePoint(Resumed.NOT_FOUND, 0, reason);
    }
}
