package dev.runnel.servlet.internal;

import dev.runnel.transport.SocketWatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** How a container's hook class is found, and what happens when it is absent or fails. */
class ContainerHookTest {

    private static final String PRESENT = "java.lang.String"; // stands for a container class that is visible
    private static final String ABSENT = "org.example.container.NoSuchRequest";
    private static final AtomicBoolean NEVER_INITIALISED = new AtomicBoolean();
    private static final AtomicInteger LINKAGE_CALLS = new AtomicInteger();
    private static final AtomicInteger RUNTIME_CALLS = new AtomicInteger();
    private static final ConnectionHooks SOME_HOOKS = new ConnectionHooks() {
    };

    private static String name(Class<?> hookClass) {
        return hookClass.getName();
    }

    @Test
    void anAbsentContainersHookClassIsNeverInitialised() {
        assertThat(ContainerHook.find("Absent", ABSENT, name(NeverInitialised.class))).isEmpty();
        assertThat(NEVER_INITIALISED).isFalse();
    }

    @Test
    void aHookClassThatFailsToInitialiseIsLeftOutWithoutThrowing() {
        assertThat(ContainerHook.find("Broken", PRESENT, name(FailsToInitialise.class))).isEmpty();
    }

    @Test
    void aHookClassThatIsMissingIsLeftOut() {
        assertThat(ContainerHook.find("Missing", PRESENT, "dev.runnel.servlet.internal.NoSuchHooks")).isEmpty();
    }

    @Test
    void aHookClassWithoutItsFactoryMethodIsLeftOut() {
        assertThat(ContainerHook.find("Wrong", PRESENT, name(WithoutOf.class))).isEmpty();
    }

    @Test
    void aPresentContainersHookMakesTheHooksForARequest() {
        ContainerHook hook = ContainerHook.find("Working", PRESENT, name(Working.class)).orElseThrow();
        assertThat(hook.container()).isEqualTo("Working");
        assertThat(hook.hooksFor(anyRequest(), noWatcher())).isSameAs(SOME_HOOKS);
    }

    @Test
    void aHookThatFailsToLinkIsSwitchedOffAndRequestsGetNoHooks() {
        ContainerHook hook = ContainerHook.find("Half there", PRESENT, name(FailsToLink.class)).orElseThrow();
        assertThat(hook.hooksFor(anyRequest(), noWatcher())).isNull();
        assertThat(hook.hooksFor(anyRequest(), noWatcher())).isNull();
        assertThat(LINKAGE_CALLS).as("not called again once off").hasValue(1);
    }

    @Test
    void aHookThatThrowsFailsThatRequestOnly() {
        ContainerHook hook = ContainerHook.find("Moody", PRESENT, name(Throws.class)).orElseThrow();
        assertThat(hook.hooksFor(anyRequest(), noWatcher())).isNull();
        assertThat(hook.hooksFor(anyRequest(), noWatcher())).isNull();
        assertThat(RUNTIME_CALLS).as("asked again for the next request").hasValue(2);
    }

    @Test
    void theRealContainerSupportLoadsWithBothContainersVisible() {
        assertThat(ContainerSupport.hooksFor(anyRequest(), noWatcher())).isSameAs(ConnectionHooks.NONE);
    }

    /** A request of no known container; any call on it throws. */
    private static HttpServletRequest anyRequest() {
        return (HttpServletRequest) Proxy.newProxyInstance(ContainerHookTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Supplier<SocketWatcher> noWatcher() {
        return () -> {
            throw new AssertionError("no watcher is needed");
        };
    }

    static final class NeverInitialised {
        static {
            NEVER_INITIALISED.set(true);
        }

        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            return SOME_HOOKS;
        }
    }

    static final class FailsToInitialise {
        private static final Object STATE = fail();

        private static Object fail() {
            throw new IllegalStateException("static initialiser fails");
        }

        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            return SOME_HOOKS;
        }
    }

    static final class WithoutOf {
        static ConnectionHooks of(HttpServletRequest request) {
            return SOME_HOOKS;
        }
    }

    static final class Working {
        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            return SOME_HOOKS;
        }
    }

    static final class FailsToLink {
        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            LINKAGE_CALLS.incrementAndGet();
            throw new NoClassDefFoundError("org/example/container/Gone");
        }
    }

    static final class Throws {
        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            RUNTIME_CALLS.incrementAndGet();
            throw new IllegalStateException("request already recycled");
        }
    }
}
