package dev.runnel.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Logging from code that contains failures: a log handler can throw too (a full disk, an
 * OutOfMemoryError while formatting, a handler of the user's), and containment must not depend on
 * logging succeeding. What the handler threw is dropped: there is nowhere left to report it.
 */
final class QuietLog {

    private QuietLog() {
    }

    /** Logs {@code message} and {@code thrown} (may be {@code null}); never throws. */
    static void log(Logger logger, Level level, String message, Throwable thrown) {
        try {
            logger.log(level, message, thrown);
        } catch (Throwable ignored) {
            // the handler failed: the caller's containment goes on without the record
        }
    }
}
