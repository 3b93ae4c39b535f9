package dev.runnel.hub;

/**
 * The hub's shared log (Redis, for a hub on several nodes) cannot be reached or did not answer in
 * time. Thrown by {@link Hub#publish} instead of losing an event silently; the message says which
 * log, why, and whether the event may have been stored anyway (a connection that broke mid-call).
 * The embedded server answers it with {@code 503}.
 */
public class HubUnavailableException extends RuntimeException {

    public HubUnavailableException(String message) {
        super(message);
    }

    public HubUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
