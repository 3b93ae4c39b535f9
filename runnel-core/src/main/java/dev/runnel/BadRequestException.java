package dev.runnel;

/**
 * Thrown by a handler for a request it cannot serve as asked (a malformed or out-of-range
 * parameter). The server answers {@code 400} with the message as a single line of text, never a
 * stack trace, so the message should say what was wrong and what is allowed.
 */
public final class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(oneLine(message), null, false, false);
    }

    private static String oneLine(String message) {
        return message == null ? "bad request" : message.replace('\r', ' ').replace('\n', ' ');
    }
}
