package dev.runnel.client;

/**
 * Why an {@link EventSource} ended. Once ended, a source never reconnects.
 *
 * <p>{@link #reason()} is one line for a log or a terminal; {@link #failed()} tells an expected end
 * (the caller closed the source, the server finished the stream or asked the client to stop) from a
 * failure.
 */
public sealed interface StreamEnd {

    /** One line saying why the stream ended. */
    String reason();

    /** True when the stream ended because something went wrong rather than by someone's choice. */
    boolean failed();

    /** {@link EventSource#close()} was called. */
    record Closed() implements StreamEnd {
        @Override
        public String reason() {
            return "closed by the client";
        }

        @Override
        public boolean failed() {
            return false;
        }
    }

    /** The server ended the stream and reconnecting is off ({@link EventSourceOptions#reconnect()}). */
    record Ended() implements StreamEnd {
        @Override
        public String reason() {
            return "the server ended the stream";
        }

        @Override
        public boolean failed() {
            return false;
        }
    }

    /** The server answered {@code 204 No Content}: the way a server tells an EventSource to stop reconnecting. */
    record NoContent() implements StreamEnd {
        @Override
        public String reason() {
            return "the server answered 204 No Content: it asks the client not to reconnect";
        }

        @Override
        public boolean failed() {
            return false;
        }
    }

    /**
     * The server answered with a status other than 200 and 204. Redirects are followed first, up to
     * five, except from {@code https} to {@code http}: a redirect not followed (the sixth, a
     * downgrade, one without a usable {@code Location}) ends the source with its status. An
     * EventSource does not retry these.
     *
     * @param status the HTTP status code
     */
    record HttpStatus(int status) implements StreamEnd {
        @Override
        public String reason() {
            return "the server answered HTTP " + status + " (an event stream needs 200)";
        }

        @Override
        public boolean failed() {
            return true;
        }
    }

    /**
     * The server answered 200 with a {@code Content-Type} other than {@code text/event-stream}.
     *
     * @param contentType the header's value, or {@code ""} when it was missing
     */
    record WrongContentType(String contentType) implements StreamEnd {
        @Override
        public String reason() {
            return "the server answered Content-Type " + (contentType.isEmpty() ? "(none)" : '"' + contentType + '"')
                    + ", not text/event-stream";
        }

        @Override
        public boolean failed() {
            return true;
        }
    }

    /**
     * A line or an event was larger than the limit the options set; the connection was closed
     * without reading further. Not retried: the server would send the same event again.
     *
     * @param option the option that was exceeded: {@code maxLineSize} or {@code maxEventSize}
     * @param limit its value in bytes
     */
    record TooLarge(String option, int limit) implements StreamEnd {
        @Override
        public String reason() {
            String what = option.equals("maxLineSize") ? "a line" : "an event's data";
            return what + " exceeded " + option + " (" + limit + " bytes); raise EventSourceOptions." + option;
        }

        @Override
        public boolean failed() {
            return true;
        }
    }

    /**
     * The connection failed or broke and the source gave up: reconnecting is off, or
     * {@link EventSourceOptions#maxAttempts()} attempts in a row failed; or the listener threw; or
     * the source itself met an unexpected exception (an iterated source rethrows it to the caller
     * of {@code hasNext()} or {@code next()}, after letting go of its connection).
     *
     * @param cause the last failure
     * @param attempts connection attempts in a row that failed (0 when the listener or the source
     *     itself threw)
     */
    record Failed(Throwable cause, int attempts) implements StreamEnd {
        @Override
        public String reason() {
            String what = describe(cause);
            if (attempts == 0) {
                return "the listener or the source threw " + what;
            }
            return (attempts == 1 ? "connection failed: " : attempts + " connection attempts in a row failed, the last: ") + what;
        }

        @Override
        public boolean failed() {
            return true;
        }

        /** The exception's type and the first message found along its causes, on one line. */
        private static String describe(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t.getMessage() != null && !t.getMessage().isBlank()) {
                    return cause.getClass().getSimpleName() + ": " + t.getMessage().strip().replaceAll("\\s+", " ");
                }
            }
            return cause.getClass().getSimpleName();
        }
    }
}
