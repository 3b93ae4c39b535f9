package dev.runnel.client.internal;

import java.net.ConnectException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;

/** Failures to connect, said so a person can act on them. */
final class ConnectFailures {

    private ConnectFailures() {
    }

    /** The JDK client's connect failures carry no message: say what could not be reached. */
    static Throwable explained(Throwable error, URI uri) {
        if (error.getMessage() != null && !error.getMessage().isBlank()) {
            return error;
        }
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String text;
        if (root instanceof UnresolvedAddressException) {
            text = "cannot resolve host " + uri.getHost();
        } else if (error instanceof ConnectException) {
            int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            text = "cannot connect to " + uri.getHost() + ":" + port;
        } else {
            return error;
        }
        ConnectException explained = new ConnectException(text);
        explained.initCause(error);
        return explained;
    }
}
