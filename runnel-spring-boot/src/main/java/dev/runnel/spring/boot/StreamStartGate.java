package dev.runnel.spring.boot;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a stream's first write back until the request's filters have all returned.
 *
 * <p>A stream runs on its own thread from the moment the handler method returns, while the
 * container thread still unwinds the filter chain, and filters write to the response on the way
 * out (Spring Security's {@code HeaderWriterFilter} adds its headers then). Two threads writing
 * headers at once can lose or mangle them. This filter, first in the chain, opens a gate when the
 * chain has returned, or thrown; the stream waits at the gate before its first write, so every
 * filter is done with the response before Runnel touches it. A stream whose filters are not done
 * within the wait ({@code runnel.start-wait}) is refused rather than written alongside them.
 */
final class StreamStartGate implements Filter {

    /** Request attribute holding the request's {@link Gate}. */
    static final String ATTRIBUTE = StreamStartGate.class.getName();

    /** The default longest wait for the filters, in case a filter blocks after the handler returned. */
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final Duration maxWait;

    StreamStartGate() {
        this(MAX_WAIT);
    }

    StreamStartGate(Duration maxWait) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /** One request's gate: open once its filter chain has returned. */
    record Gate(CountDownLatch latch, Duration maxWait) {
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request.getDispatcherType() != DispatcherType.REQUEST || request.getAttribute(ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        Gate gate = new Gate(new CountDownLatch(1), maxWait);
        request.setAttribute(ATTRIBUTE, gate);
        try {
            chain.doFilter(request, response);
        } finally {
            gate.latch().countDown();
        }
    }

    /**
     * Waits until the filters of the request that {@code gate} belongs to have returned; {@code null}
     * waits for nothing.
     *
     * @throws IllegalStateException when they have not returned within the wait: the stream must not start
     */
    static void await(Object gate) throws InterruptedException {
        if (gate instanceof Gate g && !g.latch().await(g.maxWait().toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("the request's filters had not returned " + g.maxWait().toMillis()
                    + " ms after the handler did; the stream is refused rather than written while a filter may still "
                    + "write the response (a filter blocks after the handler returned, or raise runnel.start-wait)");
        }
    }
}
