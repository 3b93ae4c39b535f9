package dev.runnel;

/**
 * Thrown when a request does not prove who it is: no credentials where they are required, or
 * credentials that are invalid or expired. The server answers {@code 401} with
 * {@code WWW-Authenticate: Bearer} and the message as one line. For a caller that proved who it is
 * but may not do what it asks, throw {@link ForbiddenException} ({@code 403}).
 */
public final class UnauthorizedException extends RuntimeException {

    public UnauthorizedException(String message) {
        super(message == null ? "unauthorized" : message.replace('\r', ' ').replace('\n', ' '), null, false, false);
    }
}
