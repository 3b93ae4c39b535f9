package dev.runnel.client;

import dev.runnel.client.internal.LastEventIds;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code runnel listen URL [--header 'K: V']... [--last-event-id ID] [--max-events N] [--json]
 * [--reconnect] [--comments]}: follows an event stream and prints its events.
 *
 * <p>Without {@code --reconnect} it follows one stream and exits {@code 0} when the server ends it
 * (or answers {@code 204}); with it, it reconnects like a browser until the server answers
 * {@code 204}. It also exits {@code 0} after {@code --max-events} events. A failure (no connection,
 * a status other than 200, a wrong content type, a broken stream without {@code --reconnect}) exits
 * {@code 1} with a one-line reason on stderr; bad arguments exit {@code 2}.
 *
 * <p>Output, one event at a time, flushed: by default the event as stream fields ({@code event:}
 * when it is not {@code message}, {@code id:} with the last event id when there is one, one
 * {@code data:} per line, a blank line); with {@code --json} one object per line,
 * {@code {"event": "message", "id": "", "data": "..."}}, where {@code id} is the last event id as a
 * browser's {@code MessageEvent.lastEventId} reports it. Comments only with {@code --comments}
 * ({@code : text}, or {@code {"comment": "text"}}).
 *
 * <p>It asks for a compressed stream ({@code Accept-Encoding: gzip}, and {@code zstd} when zstd-jni
 * is on its class path, as {@code ./runnel listen} puts it) and prints each event as soon as the
 * bytes that complete it arrive; {@code --header 'Accept-Encoding: identity'} asks for none.
 */
public final class Listen {

    static final String USAGE = "usage: runnel listen URL [--header 'K: V']... [--last-event-id ID] [--max-events N]"
            + " [--json] [--reconnect] [--comments]";

    private Listen() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, EventSourceOptions.DEFAULTS, true));
    }

    /**
     * Runs the command; returns the exit status.
     *
     * @param defaults options the command line adds to (tests shorten the reconnection time)
     * @param hook whether to close the source when the JVM is asked to stop (Ctrl-C)
     */
    static int run(String[] argv, PrintStream out, PrintStream err, EventSourceOptions defaults, boolean hook) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("runnel listen: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (args == null) {
            out.println(USAGE);
            out.flush();
            return 0;
        }
        EventSourceOptions options;
        try {
            options = defaults.withReconnect(args.reconnect()).withLastEventId(args.lastEventId());
            for (Map.Entry<String, String> header : args.headers().entrySet()) {
                options = options.withHeader(header.getKey(), header.getValue());
            }
        } catch (IllegalArgumentException e) {
            err.println("runnel listen: " + e.getMessage());
            return 2;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Printer printer = new Printer(args, out, err, closed);
        EventSource source = EventSource.connect(args.uri(), options, printer);
        Thread stop = new Thread(source::close, "runnel-listen-stop");
        if (hook) {
            Runtime.getRuntime().addShutdownHook(stop);
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            source.close();
            Thread.currentThread().interrupt();
        }
        source.close();
        StreamEnd end = source.end().orElseThrow();
        if (printer.outputClosed || printer.events >= args.maxEvents()) {
            return 0;
        }
        if (end.failed()) {
            err.println("runnel listen: " + end.reason());
            return 1;
        }
        if (end instanceof StreamEnd.NoContent) {
            err.println("runnel listen: " + end.reason());
        }
        return 0;
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder json = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** Writes what the source reads; stops the source after the last wanted event or when stdout is gone. */
    private static final class Printer implements EventSourceListener {
        private final Args args;
        private final PrintStream out;
        private final PrintStream err;
        private final CountDownLatch closed;
        private long events;
        private boolean outputClosed;

        Printer(Args args, PrintStream out, PrintStream err, CountDownLatch closed) {
            this.args = args;
            this.out = out;
            this.err = err;
            this.closed = closed;
        }

        @Override
        public void onEvent(EventSource source, MessageEvent event) {
            if (args.json()) {
                out.print("{\"event\": " + quote(event.type()) + ", \"id\": " + quote(event.lastEventId())
                        + ", \"data\": " + quote(event.data()) + "}\n");
            } else {
                StringBuilder text = new StringBuilder();
                if (!event.type().equals("message")) {
                    text.append("event: ").append(event.type()).append('\n');
                }
                if (!event.lastEventId().isEmpty()) {
                    text.append("id: ").append(event.lastEventId()).append('\n');
                }
                for (String line : event.data().split("\n", -1)) {
                    text.append("data: ").append(line).append('\n');
                }
                out.print(text.append('\n'));
            }
            events++;
            flush(source);
            if (events >= args.maxEvents()) {
                source.close();
            }
        }

        @Override
        public void onComment(EventSource source, String comment) {
            if (args.comments()) {
                out.print(args.json() ? "{\"comment\": " + quote(comment) + "}\n" : ": " + comment + "\n");
                flush(source);
            }
        }

        @Override
        public void onError(EventSource source, Throwable error) {
            err.println("runnel listen: " + new StreamEnd.Failed(error, 1).reason() + "; reconnecting");
        }

        @Override
        public void onLastEventIdNotSent(EventSource source, String lastEventId) {
            err.println("runnel listen: the last event id " + LastEventIds.quoted(lastEventId)
                    + " cannot be sent exactly (only visible ASCII can be); reconnecting without Last-Event-ID");
        }

        @Override
        public void onClosed(EventSource source, StreamEnd end) {
            closed.countDown();
        }

        private void flush(EventSource source) {
            out.flush();
            if (out.checkError()) {
                outputClosed = true; // a reader such as `head` went away
                source.close();
            }
        }
    }

    /** The parsed command line. */
    record Args(URI uri, Map<String, String> headers, String lastEventId, long maxEvents, boolean json,
                boolean reconnect, boolean comments) {

        /** The arguments, or {@code null} for {@code --help}. */
        static Args parse(String[] argv) {
            URI uri = null;
            Map<String, String> headers = new LinkedHashMap<>();
            String lastEventId = "";
            long maxEvents = Long.MAX_VALUE;
            boolean json = false;
            boolean reconnect = false;
            boolean comments = false;
            for (int i = 0; i < argv.length; i++) {
                String arg = argv[i];
                switch (arg) {
                    case "-h", "--help" -> {
                        return null;
                    }
                    case "--json" -> json = true;
                    case "--reconnect" -> reconnect = true;
                    case "--comments" -> comments = true;
                    case "--header", "-H" -> {
                        String header = value(argv, ++i, arg);
                        int colon = header.indexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("--header needs 'Name: value', got '" + header + "'");
                        }
                        headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
                    }
                    case "--last-event-id" -> lastEventId = value(argv, ++i, arg);
                    case "--max-events" -> {
                        String n = value(argv, ++i, arg);
                        try {
                            maxEvents = Long.parseLong(n);
                        } catch (NumberFormatException e) {
                            maxEvents = 0;
                        }
                        if (maxEvents < 1) {
                            throw new IllegalArgumentException("--max-events needs a whole number >= 1, got '" + n + "'");
                        }
                    }
                    default -> {
                        if (arg.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        if (uri != null) {
                            throw new IllegalArgumentException("one URL only, got " + uri + " and " + arg);
                        }
                        uri = parseUri(arg);
                    }
                }
            }
            if (uri == null) {
                throw new IllegalArgumentException("a URL is needed");
            }
            return new Args(uri, headers, lastEventId, maxEvents, json, reconnect, comments);
        }

        private static String value(String[] argv, int i, String option) {
            if (i >= argv.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return argv[i];
        }

        private static URI parseUri(String text) {
            URI uri;
            try {
                uri = URI.create(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a URL: " + text);
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("an http:// or https:// URL with a host is needed, got " + text);
            }
            return uri;
        }
    }
}
