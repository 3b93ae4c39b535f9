package dev.runnel.bench;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.StreamClosedByServerException;
import com.launchdarkly.eventsource.StreamException;
import com.launchdarkly.logging.LDLogger;
import dev.runnel.client.EventStreamReader;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parse throughput of three event stream readers over the same bytes, in MB/s: Runnel's
 * ({@code runnel-client}), OkHttp's {@code okhttp-sse} and LaunchDarkly's {@code okhttp-eventsource}.
 *
 * <p>One operation parses one payload of exactly 1,000,000 bytes (whole events, then one comment
 * line that pads to the size), so JMH's ops/s is MB/s. Payloads: {@code small}, ~200-byte events
 * with {@code event}, {@code id} and a one-line JSON {@code data}; {@code html}, ~2.5 KB events
 * with {@code event}, {@code id} and a 40-line HTML fragment with non-ASCII text. Every reader
 * produces, for every event, its data, type and id as Strings, which go to a {@link Blackhole};
 * {@link #setUp()} checks that each reader finds every event with the right data.
 *
 * <p>How each is fed, through what it offers:
 * <ul>
 *   <li>Runnel: its public {@code EventStreamReader} (the parser {@code EventSource} reads with,
 *       default limits), fed 8 KB reads from an {@code InputStream}, as the
 *       client does;</li>
 *   <li>okhttp-sse: its public {@code EventSources.processResponse(Response, listener)}, on an
 *       OkHttp {@code Response} whose body is the payload (the parser, {@code ServerSentEventReader},
 *       is internal);</li>
 *   <li>okhttp-eventsource: its public {@code EventSource.readMessage()}, with a
 *       {@code ConnectStrategy} that returns the payload as an {@code InputStream}, read buffer
 *       8 KB (its default is 1000 bytes); its parser, {@code EventParser}, is package-private.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ParseBenchmark {

    /** Bytes per operation: ops/s = MB/s. */
    static final int PAYLOAD_BYTES = 1_000_000;
    private static final int READ = 8192;
    private static final MediaType EVENT_STREAM = MediaType.get("text/event-stream");
    private static final Request REQUEST = new Request.Builder().url("http://127.0.0.1/events").build();

    @Param({"small", "html"})
    public String payload;

    private byte[] bytes;
    private int events;
    private long dataChars;
    private String firstData;

    @Setup
    public void setUp() throws Exception {
        String data = payload.equals("small") ? smallData() : htmlData();
        String name = payload.equals("small") ? "quote" : "orders";
        ByteArrayOutputStream out = new ByteArrayOutputStream(PAYLOAD_BYTES);
        long id = 1_717_250_587_125L;
        while (true) {
            byte[] event = event(name, Long.toString(id++), data);
            if (out.size() + event.length + 3 > PAYLOAD_BYTES) {
                break;
            }
            out.writeBytes(event);
            events++;
            dataChars += data.length();
        }
        int pad = PAYLOAD_BYTES - out.size(); // >= 3: ':', padding, LF
        out.writeBytes((":" + "x".repeat(pad - 2) + "\n").getBytes(StandardCharsets.US_ASCII));
        bytes = out.toByteArray();
        firstData = data;
        if (bytes.length != PAYLOAD_BYTES) {
            throw new IllegalStateException("payload is " + bytes.length + " bytes");
        }
        check("runnel", runnel(null));
        check("okhttpSse", okhttpSse(null));
        check("okhttpEventsource", okhttpEventsource(null));
    }

    @Benchmark
    public long runnel(Blackhole bh) throws IOException {
        Count count = new Count(bh);
        EventStreamReader reader = new EventStreamReader(event -> count.event(event.type(), event.lastEventId(), event.data()));
        InputStream in = new ByteArrayInputStream(bytes);
        byte[] chunk = new byte[READ];
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
            reader.feed(chunk, 0, n);
        }
        reader.end();
        return count.result();
    }

    @Benchmark
    public long okhttpSse(Blackhole bh) {
        Count count = new Count(bh);
        Response response = new Response.Builder().request(REQUEST).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                .body(ResponseBody.create(bytes, EVENT_STREAM)).build();
        EventSources.processResponse(response, new EventSourceListener() {
            @Override
            public void onEvent(okhttp3.sse.EventSource source, String id, String type, String data) {
                count.event(type, id, data);
            }
        });
        return count.result();
    }

    @Benchmark
    public long okhttpEventsource(Blackhole bh) throws StreamException {
        Count count = new Count(bh);
        try (EventSource source = new EventSource.Builder(new FromBytes(bytes)).readBufferSize(READ).build()) {
            while (true) {
                com.launchdarkly.eventsource.MessageEvent event;
                try {
                    event = source.readMessage();
                } catch (StreamClosedByServerException end) {
                    break;
                }
                count.event(event.getEventName(), event.getLastEventId(), event.getData());
            }
        }
        return count.result();
    }

    /** Counts events and data chars, so setUp can check every reader; hands every field to the blackhole. */
    private final class Count {
        private final Blackhole bh;
        private long seen;
        private long chars;
        private boolean firstOk;

        Count(Blackhole bh) {
            this.bh = bh;
        }

        void event(String type, String id, String data) {
            if (bh != null) {
                bh.consume(type);
                bh.consume(id);
                bh.consume(data);
            } else if (seen == 0) {
                firstOk = data.equals(firstData) && id.equals("1717250587125") && !type.equals("message");
            }
            seen++;
            chars += data.length();
        }

        long result() {
            return bh == null ? (firstOk ? seen : -seen) : seen;
        }
    }

    private void check(String reader, long seen) {
        if (seen != events) {
            throw new IllegalStateException(reader + " found " + seen + " events (negative: wrong first event), expected " + events);
        }
    }

    /** okhttp-eventsource's way in: a "connection" that is the payload. */
    private static final class FromBytes extends ConnectStrategy {
        private final byte[] bytes;

        FromBytes(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public Client createClient(LDLogger logger) {
            return new Client() {
                @Override
                public Result connect(String lastEventId) {
                    return new Result(new ByteArrayInputStream(bytes), URI.create("http://127.0.0.1/events"), null);
                }

                @Override
                public boolean awaitClosed(long timeoutMillis) {
                    return true;
                }

                @Override
                public URI getOrigin() {
                    return URI.create("http://127.0.0.1/events");
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static byte[] event(String name, String id, String data) {
        StringBuilder event = new StringBuilder("event: ").append(name).append("\nid: ").append(id).append('\n');
        for (String line : data.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The small event of {@code EncodeBenchmark}: a 165-byte JSON quote. */
    static String smallData() {
        return "{\"type\":\"quote\",\"symbol\":\"ACME\",\"bid\":101.25,\"ask\":101.27,\"last\":101.26,"
                + "\"volume\":1843200,\"venue\":\"XNAS\",\"ts\":\"2025-06-01T14:03:07.125Z\","
                + "\"trend\":\"up\",\"note\":\"steady\"}";
    }

    /** The large event of {@code EncodeBenchmark}: a 40-line HTML fragment, 2207 bytes of UTF-8. */
    static String htmlData() {
        StringBuilder html = new StringBuilder("<ul id=\"orders\" hx-swap-oob=\"true\">\n");
        for (int i = 1; i <= 38; i++) {
            html.append(String.format("  <li class=\"order\" id=\"o%02d\">Caf\u00e9 #%02d br\u00fbl\u00e9e \u2713</li>\n", i, i));
        }
        return html.append("</ul>").toString();
    }
}
