package dev.runnel.servlet;

import dev.runnel.servlet.internal.ConnectionHooks;
import dev.runnel.servlet.internal.ContainerSupport;
import dev.runnel.transport.SocketWatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The adapter with the Servlet API and neither Tomcat nor Jetty, as in a container Runnel has no
 * hooks for (Undertow, a WAR in a standalone Jetty): surefire execution {@code servlet-api-alone}.
 */
class ServletApiAloneTest {

    @Test
    void theClassPathHasNoContainer() throws Exception {
        assertThat(Class.forName("jakarta.servlet.http.HttpServletRequest")).isNotNull();
        assertThatThrownBy(() -> Class.forName("org.apache.coyote.AbstractProcessor")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextRequest"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void aRequestFromAnotherContainerGetsThePortableHooksAndNoWatcher() {
        // another container's request: any call on it would throw, and none is needed
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        AtomicInteger watchersAsked = new AtomicInteger();
        Supplier<SocketWatcher> watcher = () -> {
            watchersAsked.incrementAndGet();
            return null;
        };

        assertThat(ContainerSupport.hooksFor(request, watcher)).isSameAs(ConnectionHooks.NONE);
        assertThat(watchersAsked).hasValue(0);
    }
}
