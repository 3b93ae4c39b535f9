package dev.runnel.architecture;

import dev.runnel.SseEvent;
import dev.runnel.client.EventSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code runnel-core} and {@code runnel-client} as a user of the module path sees them: the
 * compiled descriptor exports the API packages only; a consumer module that {@code requires} one
 * compiles against the API, cannot compile against an internal package, and runs in a module
 * layer made of nothing but the JDK, the Runnel module and itself.
 */
class ModulePathTest {

    private static final Set<String> CORE_API = Set.of("dev.runnel", "dev.runnel.hub", "dev.runnel.transport", "dev.runnel.compress");
    private static final Set<String> CLIENT_API = Set.of("dev.runnel.client");

    @Test
    void coreExportsItsApiPackagesOnly() throws Exception {
        ModuleDescriptor core = descriptor(locationOf(SseEvent.class));
        assertThat(core.name()).isEqualTo("dev.runnel.core");
        assertThat(core.packages()).contains("dev.runnel.internal");
        assertThat(exported(core)).isEqualTo(CORE_API);
        assertThat(core.opens()).isEmpty();
    }

    @Test
    void theClientExportsItsApiPackageOnly() throws Exception {
        ModuleDescriptor client = descriptor(locationOf(EventSource.class));
        assertThat(client.name()).isEqualTo("dev.runnel.client");
        assertThat(client.packages()).contains("dev.runnel.client.internal");
        assertThat(exported(client)).isEqualTo(CLIENT_API);
        assertThat(client.requires()).anyMatch(r -> r.name().equals("java.net.http")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
    }

    @Test
    void aModuleRequiringCoreRunsOnTheApi(@TempDir Path dir) throws Exception {
        Path core = locationOf(SseEvent.class);
        Path out = compile(dir, "dev.runnel.core", core, """
                package app;

                public final class App implements java.util.concurrent.Callable<String> {
                    public String call() {
                        byte[] bytes = dev.runnel.SseEncoder.encode(dev.runnel.SseEvent.of("tick", "caf\\u00e9"));
                        return dev.runnel.SseEvent.class.getModule().getName() + "|"
                                + new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                    }
                }
                """);
        assertThat(run(core, out)).isEqualTo("dev.runnel.core|event: tick\ndata: caf\u00e9\n\n");
    }

    @Test
    void aModuleRequiringTheClientRunsOnTheApi(@TempDir Path dir) throws Exception {
        Path client = locationOf(EventSource.class);
        Path out = compile(dir, "dev.runnel.client", client, """
                package app;

                public final class App implements java.util.concurrent.Callable<String> {
                    public String call() throws Exception {
                        StringBuilder found = new StringBuilder(dev.runnel.client.EventStreamReader.class.getModule().getName());
                        var reader = new dev.runnel.client.EventStreamReader(e -> found.append('|').append(e.data()));
                        byte[] bytes = "data: caf\\u00e9\\n\\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        reader.feed(bytes, 0, bytes.length);
                        // java.net.http comes with the client (requires transitive)
                        return found.append('|').append(java.net.http.HttpClient.class.getModule().getName()).toString();
                    }
                }
                """);
        assertThat(run(client, out)).isEqualTo("dev.runnel.client|caf\u00e9|java.net.http");
    }

    @Test
    void aModuleRequiringCoreCannotUseItsInternalPackage(@TempDir Path dir) throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors = compileErrors(dir, "dev.runnel.core",
                locationOf(SseEvent.class), "dev.runnel.internal");
        assertThat(errors).extracting(Diagnostic::getCode).contains("compiler.err.package.not.visible");
        assertThat(errors).extracting(d -> d.getMessage(Locale.ROOT)).anyMatch(m -> m.contains("dev.runnel.internal"));
    }

    @Test
    void aModuleRequiringTheClientCannotUseItsInternalPackage(@TempDir Path dir) throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors = compileErrors(dir, "dev.runnel.client",
                locationOf(EventSource.class), "dev.runnel.client.internal");
        assertThat(errors).extracting(Diagnostic::getCode).contains("compiler.err.package.not.visible");
    }

    /** The jar or classes directory a class was loaded from. */
    private static Path locationOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor(Path location) {
        Set<ModuleReference> found = ModuleFinder.of(location).findAll();
        assertThat(found).as("modules at %s", location).hasSize(1);
        ModuleDescriptor descriptor = found.iterator().next().descriptor();
        assertThat(descriptor.isAutomatic()).as("%s has a module-info.class", location).isFalse();
        return descriptor;
    }

    private static Set<String> exported(ModuleDescriptor descriptor) {
        return descriptor.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    }

    /** Compiles module {@code app} (requires {@code module}, class {@code app.App}) and returns its classes. */
    private static Path compile(Path dir, String module, Path modulePath, String app) throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = dir.resolve("out");
        boolean ok = javac(dir, module, modulePath, app, diagnostics, out);
        assertThat(diagnostics.getDiagnostics()).extracting(d -> d.getMessage(Locale.ROOT))
                .filteredOn(m -> !m.isEmpty()).isEmpty();
        assertThat(ok).isTrue();
        return out;
    }

    /** Compiles module {@code app} using a class of {@code pkg}; returns the errors. */
    private static List<Diagnostic<? extends JavaFileObject>> compileErrors(Path dir, String module, Path modulePath,
                                                                           String pkg) throws IOException {
        // a public class of the package, found in the module itself: only the export can hide it
        String className;
        try (ModuleReader reader = ModuleFinder.of(modulePath).findAll().iterator().next().open()) {
            className = reader.list()
                    .filter(n -> n.startsWith(pkg.replace('.', '/') + "/") && n.endsWith(".class") && !n.contains("$"))
                    .filter(n -> n.indexOf('/', pkg.length() + 1) < 0)
                    .map(n -> n.replace('/', '.').replaceFirst("\\.class$", ""))
                    .filter(ModulePathTest::isPublic)
                    .findFirst().orElseThrow();
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok = javac(dir, module, modulePath, """
                package app;

                public final class App {
                    static final Class<?> HIDDEN = %s.class;
                }
                """.formatted(className), diagnostics, dir.resolve("out"));
        assertThat(ok).isFalse();
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    private static boolean isPublic(String className) {
        try {
            return Modifier.isPublic(Class.forName(className, false, ModulePathTest.class.getClassLoader()).getModifiers());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean javac(Path dir, String module, Path modulePath, String app,
                                 DiagnosticCollector<JavaFileObject> diagnostics, Path out) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"),
                "module app {\n    requires " + module + ";\n    exports app;\n}\n", StandardCharsets.UTF_8);
        Files.writeString(src.resolve("app/App.java"), app, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(
                    src.resolve("module-info.java"), src.resolve("app/App.java"));
            List<String> options = List.of("--release", "21", "--module-path", modulePath.toString(),
                    "-d", out.toString(), "-implicit:none", "-proc:none");
            return javac.getTask(null, files, diagnostics, options, null, units).call();
        }
    }

    /**
     * Runs {@code app.App} in a module layer over the JDK's boot layer holding the Runnel module
     * and {@code app} only, with the platform class loader as parent: nothing of the test's class
     * path is visible.
     */
    private static String run(Path runnel, Path app) throws Exception {
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration()
                .resolve(ModuleFinder.of(runnel, app), ModuleFinder.of(), Set.of("app"));
        ModuleLayer layer = boot.defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
        Class<?> main = layer.findLoader("app").loadClass("app.App");
        assertThat(main.getModule().getName()).isEqualTo("app");
        Callable<?> call = (Callable<?>) main.getConstructor().newInstance();
        return (String) call.call();
    }
}
