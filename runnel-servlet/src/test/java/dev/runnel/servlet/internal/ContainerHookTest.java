package dev.runnel.servlet.internal;

import dev.runnel.transport.SocketWatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
    void aHookThatKeepsThrowingIsReportedAtWarningOnceForEachContainerThenAtDebug() {
        ContainerHook first = ContainerHook.find("Grumpy", PRESENT, name(AlwaysThrows.class)).orElseThrow();
        ContainerHook second = ContainerHook.find("Sulky", PRESENT, name(AlwaysThrows.class)).orElseThrow();
        List<LogRecord> records = recordLogs(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(first.hooksFor(anyRequest(), noWatcher())).isNull();
                assertThat(second.hooksFor(anyRequest(), noWatcher())).isNull();
            }
        });
        List<String> warnings = records.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                .map(LogRecord::getMessage).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("Grumpy").contains("stale request \u00e9");
        assertThat(warnings.get(1)).contains("Sulky");
        assertThat(records.stream().filter(r -> r.getLevel() == java.util.logging.Level.FINE)).hasSize(4);
    }

    /** Runs {@code action} and returns what it logged on Runnel's servlet logger, debug included. */
    private static List<LogRecord> recordLogs(Runnable action) {
        Logger logger = Logger.getLogger("dev.runnel.servlet");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level before = logger.getLevel();
        logger.setLevel(java.util.logging.Level.ALL);
        handler.setLevel(java.util.logging.Level.ALL);
        logger.addHandler(handler);
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
        return records;
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

    static final class AlwaysThrows {
        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            throw new IllegalStateException("stale request \u00e9");
        }
    }

    static final class Throws {
        static ConnectionHooks of(HttpServletRequest request, Supplier<SocketWatcher> watcher) {
            RUNTIME_CALLS.incrementAndGet();
            throw new IllegalStateException("request already recycled");
        }
    }
}
