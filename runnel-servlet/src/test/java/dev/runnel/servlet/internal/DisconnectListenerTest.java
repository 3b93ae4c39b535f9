package dev.runnel.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream's disconnect listener runs exactly once, however the client's leaving and its registration interleave. */
class DisconnectListenerTest {

    /** A container whose hook finds the client already gone the moment it is asked to watch. */
    private static final ConnectionHooks GONE_AT_ONCE = new ConnectionHooks() {
        @Override
        public void onClientGone(Runnable listener) {
            listener.run();
        }
    };

    @Test
    void aClientGoneWhileTheListenerIsRegisteredIsToldOnce() throws Exception {
        ServletTransport transport = ServletTransport.open(request(), response(), GONE_AT_ONCE, Duration.ofSeconds(1));
        AtomicInteger runs = new AtomicInteger();

        transport.onDisconnect(runs::incrementAndGet);

        Thread.sleep(200); // a second run would be on a virtual thread of its own: give it time to show
        assertThat(runs).hasValue(1);
    }

    private static HttpServletRequest request() {
        AsyncContext async = fake(AsyncContext.class, null);
        return fake(HttpServletRequest.class, async);
    }

    private static HttpServletResponse response() {
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }

            @Override
            public void write(int b) {
            }
        };
        return (HttpServletResponse) Proxy.newProxyInstance(DisconnectListenerTest.class.getClassLoader(),
                new Class<?>[]{HttpServletResponse.class}, (p, m, a) -> m.getName().equals("getOutputStream") ? out : defaultFor(m.getReturnType()));
    }

    /** Answers {@code isAsyncSupported} true, {@code startAsync} with {@code async}, anything else with a default. */
    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, AsyncContext async) {
        return (T) Proxy.newProxyInstance(DisconnectListenerTest.class.getClassLoader(), new Class<?>[]{type}, (p, m, a) -> switch (m.getName()) {
            case "isAsyncSupported" -> true;
            case "startAsync" -> async;
            case "getProtocol" -> "HTTP/1.1";
            default -> defaultFor(m.getReturnType());
        });
    }

    private static Object defaultFor(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
