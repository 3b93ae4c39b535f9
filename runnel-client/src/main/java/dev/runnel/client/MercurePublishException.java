package dev.runnel.client;

import java.io.IOException;

/**
 * A Mercure hub refused a publish: it answered with {@link #status()} (401: no or a bad token; 403:
 * the token does not allow a topic; 400: a field the hub refused), and {@link #body()} is the start
 * of what it said. Nothing was published.
 */
public final class MercurePublishException extends IOException {

    private final int status;
    private final String body;

    public MercurePublishException(int status, String body) {
        super("the Mercure hub refused the publish: " + status + (body.isBlank() ? "" : " " + body.strip()));
        this.status = status;
        this.body = body;
    }

    /** The hub's status code. */
    public int status() {
        return status;
    }

    /** The start of the hub's answer (at most a few KiB). */
    public String body() {
        return body;
    }
}
