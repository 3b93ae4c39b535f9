package dev.runnel.internal;

import dev.runnel.RequestContext;
import dev.runnel.compress.Compression;
import dev.runnel.compress.ContentCoding;
import dev.runnel.compress.ContentCodings;
import dev.runnel.compress.StreamCompressor;
import dev.runnel.transport.SseTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decorating transport's own contract: headers, one compress per write, the end, and every end path closing once. */
class CompressingTransportTest {

    /** What the fake coding's compressors do next; reset before each test. */
    static final AtomicInteger CLOSES = new AtomicInteger();
    static final AtomicInteger OPENS = new AtomicInteger();
    static final AtomicReference<Throwable> THROW = new AtomicReference<>();
    static final AtomicReference<Throwable> THROW_ON_OPEN = new AtomicReference<>();
    static volatile CountDownLatch inCompress;
    static volatile CountDownLatch releaseCompress;

    /** Frames each write as {@code [text]} and the end as {@code <end>}, so the tests can see what was sent. */
    static final ContentCoding UNIT = new ContentCoding() {
        @Override public String name() { return "x-unit"; }
        @Override public int minWindowLog() { return 10; }
        @Override public int maxWindowLog() { return 20; }
        @Override public int defaultWindowLog() { return 12; }
        @Override public int minLevel() { return 1; }
        @Override public int maxLevel() { return 3; }
        @Override public int defaultLevel() { return 2; }

        @Override
        public StreamCompressor open(int windowLog, int level) {
            Throwable t = THROW_ON_OPEN.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            OPENS.incrementAndGet();
            return new StreamCompressor() {
                volatile boolean closed;

                @Override
                public ByteBuffer compress(ByteBuffer bytes) {
                    if (closed) {
                        throw new IllegalStateException("closed");
                    }
                    CountDownLatch in = inCompress;
                    if (in != null) {
                        in.countDown();
                        try {
                            releaseCompress.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    Throwable t = THROW.get();
                    if (t instanceof RuntimeException r) {
                        throw r;
                    }
                    if (t instanceof Error e) {
                        throw e;
                    }
                    assertThat(closed).as("never closed during a call").isFalse();
                    return ByteBuffer.wrap(("[" + StandardCharsets.UTF_8.decode(bytes.duplicate()) + "]").getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public ByteBuffer finish() {
                    if (closed) {
                        throw new IllegalStateException("closed");
                    }
                    return ByteBuffer.wrap("<end>".getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public long memoryBytes() {
                    return 1;
                }

                @Override
                public void close() {
                    closed = true;
                    CLOSES.incrementAndGet();
                }
            };
        }
    };

    @BeforeAll
    static void register() {
        if (ContentCodings.find("x-unit").isEmpty()) {
            ContentCodings.register(UNIT);
        }
    }

    @BeforeEach
    void reset() {
        CLOSES.set(0);
        OPENS.set(0);
        THROW.set(null);
        THROW_ON_OPEN.set(null);
        inCompress = null;
        releaseCompress = null;
    }

    /** Records what the lifecycle's transport would send. */
    static final class Recording implements SseTransport {
        final List<String> sent = new ArrayList<>();
        Map<String, String> head;
        int completes;
        int aborts;
        boolean failWrites;
        Error writeError;
        boolean async;

        @Override public boolean isHttp1() { return true; }

        @Override
        public void start(int status, Map<String, String> headers) throws IOException {
            if (failWrites) {
                throw new IOException("gone");
            }
            head = headers;
        }

        @Override
        public synchronized void write(ByteBuffer bytes) throws IOException {
            if (writeError != null) {
                throw writeError;
            }
            if (failWrites) {
                throw new IOException("gone");
            }
            sent.add(StandardCharsets.UTF_8.decode(bytes.duplicate()).toString());
        }

        @Override public boolean writesAsync() { return async; }

        @Override
        public void writeAsync(ByteBuffer bytes, WriteCallback done) {
            sent.add(StandardCharsets.UTF_8.decode(bytes.duplicate()).toString());
            done.written();
        }

        @Override public void complete() { completes++; }
        @Override public void abort(Throwable cause) { aborts++; }
        @Override public void onDisconnect(Runnable listener) { }
    }

    private static RequestContext accepting(String acceptEncoding) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (acceptEncoding != null) {
            headers.put("Accept-Encoding", List.of(acceptEncoding));
        }
        return new RequestContext("GET", "/s", null, null, headers, null, null, null, null);
    }

    private static SseTransport wrap(Recording inner) {
        return CompressingTransport.wrap(inner, Compression.of("x-unit"), accepting("x-unit"));
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutAnAcceptedCodingTheTransportIsTheServers() {
        Recording inner = new Recording();
        assertThat(CompressingTransport.wrap(inner, Compression.OFF, accepting("x-unit"))).isSameAs(inner);
        assertThat(CompressingTransport.wrap(inner, Compression.of("x-unit"), accepting(null))).isSameAs(inner);
        assertThat(CompressingTransport.wrap(inner, Compression.of("x-unit"), accepting("gzip, x-unit;q=0"))).isSameAs(inner);
        assertThat(OPENS).hasValue(0);
    }

    @Test
    void theHeadSaysTheCodingAndVaryKeepsItsValue() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        Map<String, String> head = new LinkedHashMap<>();
        head.put("Content-Type", "text/event-stream");
        head.put("Vary", "Origin");
        head.put("Content-Length", "12");
        t.start(200, head);
        assertThat(inner.head).containsEntry("Content-Encoding", "x-unit").containsEntry("Vary", "Origin, Accept-Encoding")
                .containsEntry("Content-Type", "text/event-stream").doesNotContainKey("Content-Length");
        assertThat(head).as("the caller's map is not changed").containsEntry("Vary", "Origin").doesNotContainKey("Content-Encoding");
    }

    @Test
    void anErrorStatusIsNeverCompressed() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(500, Map.of("Content-Type", "text/plain"));
        t.write(text("oops"));
        t.complete();
        assertThat(inner.head).doesNotContainKey("Content-Encoding");
        assertThat(inner.sent).containsExactly("oops");
        assertThat(OPENS).hasValue(0);
    }

    @Test
    void eachWriteIsCompressedOnceAndANormalEndWritesTheEndThenCloses() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        ByteBuffer shared = text("data: a\n\ndata: b\n\n");
        t.write(shared);
        t.write(text(": heartbeat\n\n"));
        assertThat(shared.position()).as("the shared buffer is not consumed").isZero();
        t.complete();
        assertThat(inner.sent).containsExactly("[data: a\n\ndata: b\n\n]", "[: heartbeat\n\n]", "<end>");
        assertThat(inner.completes).isEqualTo(1);
        assertThat(CLOSES).hasValue(1);
        t.abort(new IOException("late"));
        assertThat(CLOSES).as("closed once, whatever comes after").hasValue(1);
    }

    @Test
    void asyncWritesAreCompressedToo() throws Exception {
        Recording inner = new Recording();
        inner.async = true;
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        AtomicInteger written = new AtomicInteger();
        t.writeAsync(text("x"), new SseTransport.WriteCallback() {
            @Override public void written() { written.incrementAndGet(); }
            @Override public void failed(Throwable failure) { throw new AssertionError(failure); }
        });
        assertThat(written).hasValue(1);
        assertThat(inner.sent).containsExactly("[x]");
    }

    @Test
    void anAbortClosesOnceAndLaterWritesFailWithoutTouchingTheCompressor() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        t.abort(new IOException("client gone"));
        t.abort(new IOException("again"));
        assertThat(CLOSES).hasValue(1);
        assertThatThrownBy(() -> t.write(text("x"))).isInstanceOf(IOException.class);
        t.complete();
        assertThat(inner.sent).as("no trailer after an abort").isEmpty();
        assertThat(CLOSES).hasValue(1);
    }

    @Test
    void anAbortDuringACallLeavesTheCloseToThatCallsReturn() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        inCompress = new CountDownLatch(1);
        releaseCompress = new CountDownLatch(1);
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                t.write(text("x"));
            } catch (Throwable e) {
                writeFailure.set(e);
            }
        });
        assertThat(inCompress.await(10, TimeUnit.SECONDS)).isTrue();
        t.abort(new IOException("shutdown")); // from another thread, while compress runs: must not block, must not close now
        assertThat(CLOSES).as("not closed while the call runs").hasValue(0);
        releaseCompress.countDown();
        writer.join(10_000);
        assertThat(CLOSES).as("closed by the call's thread as it returned").hasValue(1);
        assertThat(writeFailure.get()).as("the call saw an open compressor").isNull();
        assertThat(inner.aborts).isEqualTo(1);
    }

    @Test
    void aCompressorThatThrowsARuntimeExceptionFailsTheWriteAndIsClosedOnce() throws Exception {
        compressorThatThrows(new IllegalStateException("broken"));
    }

    @Test
    void aCompressorThatThrowsAnErrorFailsTheWriteAndIsClosedOnce() throws Exception {
        compressorThatThrows(new StackOverflowError("deep"));
    }

    private void compressorThatThrows(Throwable thrown) throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        THROW.set(thrown);
        assertThatThrownBy(() -> t.write(text("x"))).isInstanceOf(IOException.class).hasCause(thrown);
        assertThat(CLOSES).hasValue(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        t.writeAsync(text("y"), new SseTransport.WriteCallback() {
            @Override public void written() { throw new AssertionError("written"); }
            @Override public void failed(Throwable failure) { failed.set(failure); }
        });
        assertThat(failed.get()).as("an async write that cannot start is told, not thrown").isInstanceOf(IOException.class);
        t.complete(); // the lifecycle's end after the failed write: no trailer on a broken stream, the response aborted
        t.abort(new IOException("end"));
        assertThat(inner.sent).isEmpty();
        assertThat(inner.completes).isZero();
        assertThat(CLOSES).hasValue(1);
    }

    @Test
    void aStartThatFailsClosesTheCompressor() {
        Recording inner = new Recording();
        inner.failWrites = true;
        SseTransport t = wrap(inner);
        assertThatThrownBy(() -> t.start(200, Map.of())).isInstanceOf(IOException.class);
        t.abort(new IOException("gone"));
        assertThat(OPENS).hasValue(1);
        assertThat(CLOSES).hasValue(1);
    }

    @Test
    void aTrailerThatCannotBeWrittenAbortsAndCloses() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        inner.failWrites = true;
        t.complete();
        assertThat(inner.completes).isZero();
        assertThat(inner.aborts).isEqualTo(1);
        assertThat(CLOSES).hasValue(1);
    }

    @Test
    void aCompressorThatCannotOpenLeavesTheStreamPlain() throws Exception {
        THROW_ON_OPEN.set(new IllegalStateException("no memory for it"));
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of("Content-Type", "text/event-stream"));
        t.write(text("data: x\n\n"));
        t.complete();
        assertThat(inner.head).doesNotContainKey("Content-Encoding");
        assertThat(inner.sent).containsExactly("data: x\n\n");
        assertThat(inner.completes).isEqualTo(1);
    }

    @Test
    void aCodingWhoseNativeLibraryCannotLoadLeavesTheStreamPlain() throws Exception {
        // zstd-jni without its native library for this platform throws an Error from open(), on every connection
        THROW_ON_OPEN.set(new UnsatisfiedLinkError("no zstd-jni in java.library.path"));
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of("Content-Type", "text/event-stream"));
        t.write(text("data: x\n\n"));
        t.complete();
        assertThat(inner.head).doesNotContainKey("Content-Encoding");
        assertThat(inner.sent).containsExactly("data: x\n\n");
        assertThat(inner.completes).isEqualTo(1);
    }

    @Test
    void aTrailerWriteThatThrowsAnErrorStillEndsTheResponse() throws Exception {
        Recording inner = new Recording();
        SseTransport t = wrap(inner);
        t.start(200, Map.of());
        inner.writeError = new OutOfMemoryError("no room for the trailer");
        try {
            t.complete();
        } catch (OutOfMemoryError expected) {
            // may be passed on; the response must be ended either way
        }
        assertThat(inner.completes + inner.aborts).as("the response is completed or aborted, not left open").isEqualTo(1);
        assertThat(CLOSES).hasValue(1);
    }
}
