package dev.runnel.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/** Tells a client going away apart from a real failure. */
public final class Disconnects {

    private Disconnects() {
    }

    /**
     * True when {@code error}, or one of its causes, is the client closing the connection: EOF while
     * writing, a closed channel, a reset or a broken pipe.
     */
    public static boolean isClientDisconnect(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EOFException || t instanceof ClosedChannelException) {
                return true;
            }
            if (t instanceof IOException && t.getMessage() != null) {
                String message = t.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("broken pipe") || message.contains("connection reset")
                        || message.contains("connection was aborted")) {
                    return true;
                }
            }
        }
        return false;
    }
}
