package dev.runnel.spring.boot;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a stream's first write back until the request's filters have all returned.
 *
 * <p>A stream runs on its own thread from the moment the handler method returns, while the
 * container thread still unwinds the filter chain, and filters write to the response on the way
 * out (Spring Security's {@code HeaderWriterFilter} adds its headers then). Two threads writing
 * headers at once can lose or mangle them. This filter, first in the chain, opens a gate when the
 * chain has returned; the stream waits at the gate before its first write, so every filter is done
 * with the response before Runnel touches it.
 */
final class StreamStartGate implements Filter {

    /** Request attribute holding the gate, a {@link CountDownLatch}. */
    static final String ATTRIBUTE = StreamStartGate.class.getName();

    /** Longest a stream waits for the filters, in case a filter blocks after the handler returned. */
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request.getDispatcherType() != DispatcherType.REQUEST || request.getAttribute(ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        CountDownLatch gate = new CountDownLatch(1);
        request.setAttribute(ATTRIBUTE, gate);
        try {
            chain.doFilter(request, response);
        } finally {
            gate.countDown();
        }
    }

    /** Waits until the filters of the request that {@code gate} belongs to have returned; {@code null} waits for nothing. */
    static void await(Object gate) throws InterruptedException {
        if (gate instanceof CountDownLatch latch) {
            latch.await(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
