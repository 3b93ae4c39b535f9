package dev.runnel;

/**
 * Thrown when the application's access rules refuse a request (subscribing to or publishing on a
 * topic the caller may not use). The server answers {@code 403} with the message as one line; a
 * browser's EventSource does not reconnect after it.
 */
public final class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message == null ? "forbidden" : message.replace('\r', ' ').replace('\n', ' '), null, false, false);
    }
}
