package dev.runnel.bench;

import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.StreamCompressor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of compressing one event of a long-lived stream with Runnel's built-in gzip coding against
 * the JDK's {@link Deflater} (zlib, 32 KiB window, about 256 KiB of state) at the same level, both
 * with a sync flush after every event, as a compressed event stream needs.
 *
 * <p>Two streams: {@code json}, ticker events of about 58 bytes ({@code data: {"s":"ACME",...}}),
 * and {@code html}, dashboard fragments of about 1.6 KB that repeat their markup. Each benchmark
 * cycles through enough distinct events that whole events never repeat within either window. Both
 * return a fresh array of the compressed bytes (the caller owns what it sends). At the end of each
 * trial the compressed bytes per event are printed: {@code bytes/event ours=... jdk=... raw=...}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GzipBenchmark {

    @Param({"json", "html"})
    public String stream;

    @Param({"6"})
    public int level;

    @Param({"13"})
    public int windowLog;

    private ByteBuffer[] events;
    private int next;
    private StreamCompressor ours;
    private Deflater jdk;
    private byte[] jdkOut;
    private long oursBytes;
    private long oursEvents;
    private long jdkBytes;
    private long jdkEvents;
    private double rawPerEvent;

    @Setup(Level.Trial)
    public void setUp() {
        byte[][] raw = stream.equals("json") ? jsonEvents(1024) : htmlEvents(256);
        events = new ByteBuffer[raw.length];
        long total = 0;
        for (int i = 0; i < raw.length; i++) {
            events[i] = ByteBuffer.wrap(raw[i]);
            total += raw[i].length;
        }
        rawPerEvent = total / (double) raw.length;
        ContentCoding gzip = gzip();
        ours = gzip.open(windowLog, level);
        jdk = new Deflater(level, true);
        jdkOut = new byte[64 * 1024];
    }

    /**
     * The built-in coding, used through the interface a server uses. Internal packages stay in their
     * module (ArchitectureTest), so it is looked up by name.
     * TODO(deflate): {@code ContentCodings.find("gzip").orElseThrow()} once branch compress is merged.
     */
    static ContentCoding gzip() {
        try {
            return (ContentCoding) Class.forName("dev.runnel.internal.GzipCoding").getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("runnel-core has no built-in gzip coding", e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        boolean oursRan = oursEvents > 0;
        long bytes = oursRan ? oursBytes : jdkBytes;
        long count = Math.max(1, oursRan ? oursEvents : jdkEvents);
        System.out.printf(Locale.ROOT, "%nbytes/event %s %s level %d windowLog %d: %.1f compressed, %.1f raw%n",
                oursRan ? "runnelGzip" : "jdkDeflater", stream, level, windowLog, bytes / (double) count, rawPerEvent);
        ours.close();
        jdk.end();
    }

    private ByteBuffer nextEvent() {
        ByteBuffer event = events[next];
        next = next + 1 == events.length ? 0 : next + 1;
        return event;
    }

    @Benchmark
    public ByteBuffer runnelGzip() {
        ByteBuffer out = ours.compress(nextEvent());
        oursBytes += out.remaining();
        oursEvents++;
        return out;
    }

    @Benchmark
    public byte[] jdkDeflater() {
        ByteBuffer event = nextEvent();
        jdk.setInput(event.array(), event.arrayOffset() + event.position(), event.remaining());
        int n = jdk.deflate(jdkOut, 0, jdkOut.length, Deflater.SYNC_FLUSH);
        jdkBytes += n;
        jdkEvents++;
        return Arrays.copyOf(jdkOut, n);
    }

    static byte[][] jsonEvents(int count) {
        SplittableRandom rnd = new SplittableRandom(2);
        byte[][] events = new byte[count][];
        long ts = 1717250587125L;
        for (int i = 0; i < count; i++) {
            ts += rnd.nextInt(50);
            events[i] = String.format(Locale.ROOT, "data: {\"s\":\"ACME\",\"p\":%.2f,\"v\":%d,\"t\":%d}\n\n",
                    100 + rnd.nextDouble(), rnd.nextInt(5000), ts).getBytes(StandardCharsets.UTF_8);
        }
        return events;
    }

    static byte[][] htmlEvents(int count) {
        SplittableRandom rnd = new SplittableRandom(1);
        String[] symbols = {"ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK"};
        byte[][] events = new byte[count][];
        for (int i = 0; i < count; i++) {
            StringBuilder html = new StringBuilder("event: dashboard\ndata: <section class=\"panel\" id=\"p")
                    .append(i % 4).append("\" hx-swap-oob=\"true\">\n");
            for (int row = 0; row < 12; row++) {
                html.append("data:   <div class=\"row ").append(rnd.nextBoolean() ? "up" : "down")
                        .append("\"><span class=\"sym\">").append(symbols[rnd.nextInt(symbols.length)])
                        .append("</span><span class=\"px\">")
                        .append(String.format(Locale.ROOT, "%.2f", 50 + rnd.nextDouble() * 100))
                        .append("</span><span class=\"vol\">").append(rnd.nextInt(1_000_000))
                        .append("</span></div>\n");
            }
            html.append("data: </section>\n\n");
            events[i] = html.toString().getBytes(StandardCharsets.UTF_8);
        }
        return events;
    }
}
