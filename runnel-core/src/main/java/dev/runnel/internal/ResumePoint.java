package dev.runnel.internal;

import dev.runnel.hub.Resumed;

/**
 * Where a subscription resumes, resolved from its {@code Last-Event-ID} when it is made, before the
 * response starts: live from the hub's position then, after one event, from the earliest held, or a reset.
 *
 * @param seq for {@link Resumed#FOUND}, the sequence number to replay after; for {@link Resumed#NONE},
 *     the hub's position when the subscription was made ({@code -1}: none), so what is published between
 *     then and the stream attaching (the response head goes out in between) is queued first
 * @param resetReason for {@link Resumed#NOT_FOUND}, why: {@code malformed}, {@code unknown} or {@code expired}
 */
record ResumePoint(Resumed outcome, long seq, String resetReason) {

    static final ResumePoint NONE = new ResumePoint(Resumed.NONE, -1, null);
    static final ResumePoint EARLIEST = new ResumePoint(Resumed.EARLIEST, -1, null);

    /** Live from the hub's position {@code seq}: nothing published before it, everything after. */
    static ResumePoint live(long seq) {
        return new ResumePoint(Resumed.NONE, seq, null);
    }

    static ResumePoint after(long seq) {
        return new ResumePoint(Resumed.FOUND, seq, null);
    }

    static ResumePoint reset(String reason) {
        return new ResumePoint(Resumed.NOT_FOUND, 0, reason);
    }
}
