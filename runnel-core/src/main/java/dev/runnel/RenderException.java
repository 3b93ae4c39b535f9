package dev.runnel;

/**
 * A value could not be turned into an event: a missing template or block, an empty render, a value
 * the JSON codec cannot write, or no renderer configured. The stream sends an error event in its
 * place and goes on.
 */
public class RenderException extends RuntimeException {

    public RenderException(String message) {
        super(message);
    }

    public RenderException(String message, Throwable cause) {
        super(message, cause);
    }
}
