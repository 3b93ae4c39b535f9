package dev.runnel.internal;

import dev.runnel.hub.Resumed;

/**
 * Where a subscription resumes, resolved from its {@code Last-Event-ID} when it is made, before the
 * response starts: nothing to replay, after one event, from the earliest held, or a reset.
 *
 * @param seq for {@link Resumed#FOUND}, the sequence number to replay after
 * @param resetReason for {@link Resumed#NOT_FOUND}, why: {@code malformed}, {@code unknown} or {@code expired}
 * @param mayBeNewer for {@link Resumed#NOT_FOUND}, true when the id may name an event this node has not
 *     read yet (on a log, the node reads again before it decides)
 */
record ResumePoint(Resumed outcome, long seq, String resetReason, boolean mayBeNewer) {

    static final ResumePoint NONE = new ResumePoint(Resumed.NONE, 0, null, false);
    static final ResumePoint EARLIEST = new ResumePoint(Resumed.EARLIEST, -1, null, false);

    static ResumePoint after(long seq) {
        return new ResumePoint(Resumed.FOUND, seq, null, false);
    }

    static ResumePoint reset(String reason) {
        return new ResumePoint(Resumed.NOT_FOUND, 0, reason, false);
    }

    /** Unknown here, but perhaps only not read yet. */
    static ResumePoint notYetKnown() {
        return new ResumePoint(Resumed.NOT_FOUND, 0, "unknown", true);
    }
}
