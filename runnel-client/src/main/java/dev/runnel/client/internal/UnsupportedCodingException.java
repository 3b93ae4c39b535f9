package dev.runnel.client.internal;

import java.io.IOException;

/** A {@code Content-Encoding} this client cannot decode: retrying would get the same answer. */
public final class UnsupportedCodingException extends IOException {

    public UnsupportedCodingException(String message) {
        super(message);
    }
}
