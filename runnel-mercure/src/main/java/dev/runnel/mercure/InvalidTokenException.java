package dev.runnel.mercure;

/**
 * A token the hub must not honour: malformed, signed with another algorithm or key, expired, not
 * yet valid, or with a {@code mercure} claim of the wrong shape. The message says which, for
 * logs; it never holds the token. The hub answers {@code 401} without repeating it.
 */
public final class InvalidTokenException extends Exception {

    /** A refusal for {@code reason}. */
    public InvalidTokenException(String reason) {
        super(reason);
    }

    /** A refusal for {@code reason}, found by {@code cause}. */
    public InvalidTokenException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
