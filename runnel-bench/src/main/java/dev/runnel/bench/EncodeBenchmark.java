package dev.runnel.bench;

import dev.runnel.SseEvent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of {@link SseEvent#encode()} against the floor of copying the same payload once.
 *
 * <p>Two events: {@code small}, a ~200-byte single-line JSON payload with an event name and id; and
 * {@code large}, a ~2 KB, 40-line HTML fragment with non-ASCII text and an event name; and
 * {@code ascii}, the same fragment in plain ASCII, the common case the encoder has a fast path for. For each,
 * {@code copy} is {@code Arrays.copyOf} of the payload's UTF-8 bytes (what any encoder must at least
 * do) and {@code getBytes} is {@code String.getBytes(UTF_8)} of the data, the JDK's own encoder.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} of {@code encode} should be the output size,
 * i.e. one copy of the payload plus the field prefixes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBenchmark {

    private SseEvent smallEvent;
    private String smallData;
    private byte[] smallPayload;

    private SseEvent asciiEvent;
    private String asciiData;
    private byte[] asciiPayload;

    private SseEvent largeEvent;
    private String largeData;
    private byte[] largePayload;

    @Setup
    public void setUp() {
        smallData = "{\"type\":\"quote\",\"symbol\":\"ACME\",\"bid\":101.25,\"ask\":101.27,\"last\":101.26,"
                + "\"volume\":1843200,\"venue\":\"XNAS\",\"ts\":\"2025-06-01T14:03:07.125Z\","
                + "\"trend\":\"up\",\"note\":\"steady\"}";
        smallEvent = new SseEvent("quote", "1717250587125", null, smallData);
        smallPayload = smallData.getBytes(StandardCharsets.UTF_8);

        StringBuilder html = new StringBuilder("<ul id=\"orders\" hx-swap-oob=\"true\">\n");
        for (int i = 1; i <= 38; i++) {
            html.append(String.format("  <li class=\"order\" id=\"o%02d\">Café #%02d brûlée ✓</li>\n", i, i));
        }
        html.append("</ul>");
        asciiData = html.toString().replace("Café", "Cafe").replace("brûlée", "brulee").replace(" ✓", " ok");
        asciiEvent = SseEvent.of("orders", asciiData);
        asciiPayload = asciiData.getBytes(StandardCharsets.UTF_8);
        largeData = html.toString();
        largeEvent = SseEvent.of("orders", largeData);
        largePayload = largeData.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] smallEncode() {
        return smallEvent.encode();
    }

    @Benchmark
    public byte[] smallCopy() {
        return Arrays.copyOf(smallPayload, smallPayload.length);
    }

    @Benchmark
    public byte[] smallGetBytes() {
        return smallData.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] asciiEncode() {
        return asciiEvent.encode();
    }

    @Benchmark
    public byte[] asciiCopy() {
        return Arrays.copyOf(asciiPayload, asciiPayload.length);
    }

    @Benchmark
    public byte[] largeEncode() {
        return largeEvent.encode();
    }

    @Benchmark
    public byte[] largeCopy() {
        return Arrays.copyOf(largePayload, largePayload.length);
    }

    @Benchmark
    public byte[] largeGetBytes() {
        return largeData.getBytes(StandardCharsets.UTF_8);
    }
}
