package dev.runnel.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules between Runnel's modules, checked on the main classes of every module (tests may reach
 * into their own module's internals, and the fuzz tests into others'). Each rule also has a test
 * showing that it fails when the module map is bent to break it.
 */
class ArchitectureTest {

    private static JavaClasses classes;
    private static Modules modules;

    @BeforeAll
    static void importEveryModule() throws IOException {
        // the dev/runnel folder of each class path entry that has one: far quicker than scanning every jar
        List<URL> runnel = Collections.list(ArchitectureTest.class.getClassLoader().getResources("dev/runnel"));
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importUrls(runnel);
        modules = Modules.of(classes);
    }

    @Test
    void everyModuleIsRead() {
        assertThat(modules.names()).contains("runnel-core", "runnel-client", "runnel-testkit", "runnel-jackson",
                "runnel-micrometer", "runnel-redis", "runnel-pebble", "runnel-jetty", "runnel-servlet",
                "runnel-spring-boot", "runnel-thymeleaf", "runnel-mercure", "runnel-mercure-hub", "runnel-example", "runnel-bench", "runnel-zstd");
        assertThat(modules.modulesOfPackage()).containsKeys("dev.runnel", "dev.runnel.internal", "dev.runnel.client.internal");
    }

    @Test
    void coreUsesNothingButTheJdk() {
        ArchitectureRules.dependsOnTheJdkOnly("runnel-core", modules).check(classes);
    }

    @Test
    void theClientUsesNothingButTheJdk() {
        ArchitectureRules.dependsOnTheJdkOnly("runnel-client", modules).check(classes);
    }

    @Test
    void theZstdCodingUsesTheCoreSpiAndZstdJniOnly() {
        classes().that().resideInAPackage("dev.runnel.zstd..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe("the JDK, dev.runnel.compress or zstd-jni",
                        c -> ArchitectureRules.JDK_API.contains(c.getPackageName()) || c.getPackageName().equals("dev.runnel.compress")
                                || c.getPackageName().startsWith("dev.runnel.zstd") || c.getPackageName().startsWith("com.github.luben.zstd")))
                .check(classes);
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackages() {
        ArchitectureRules.internalPackagesStayInTheirModule(modules).check(classes);
    }

    @Test
    void coreNeverUsesAnAdapter() {
        ArchitectureRules.dependsOnNoOtherRunnelModule("runnel-core", modules).check(classes);
    }

    @Test
    void noPackageIsSplitAcrossModules() {
        // a split package cannot load on the module path, and would blur every rule above
        assertThat(modules.splitPackages()).isEmpty();
    }

    @Test
    void theJdkRuleFailsOnALibraryImport() {
        // as if the Jetty adapter's package were part of core
        Modules bent = modules.moved("dev.runnel.jetty", "runnel-core");
        assertThatThrownBy(() -> ArchitectureRules.dependsOnTheJdkOnly("runnel-core", bent).check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("dev.runnel.jetty.")
                .hasMessageContaining("org.eclipse.jetty.");
    }

    @Test
    void theInternalRuleFailsWhenAnotherModuleUsesAnInternalPackage() {
        // as if core's internal package lived in a module of its own
        Modules bent = modules.moved("dev.runnel.internal", "runnel-elsewhere");
        assertThatThrownBy(() -> ArchitectureRules.internalPackagesStayInTheirModule(bent).check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("<dev.runnel.SseEngine")
                .hasMessageContaining("dev.runnel.internal.");
    }

    @Test
    void theCoreRuleFailsWhenCoreUsesAnotherModule() {
        // as if the transport interface were the Jetty adapter's
        Modules bent = modules.moved("dev.runnel.transport", "runnel-jetty");
        assertThatThrownBy(() -> ArchitectureRules.dependsOnNoOtherRunnelModule("runnel-core", bent).check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("dev.runnel.transport.SseTransport");
    }

    @Test
    void aSplitPackageIsFound() {
        assertThat(modules.alsoIn("dev.runnel.hub", "runnel-redis").splitPackages()).containsOnlyKeys("dev.runnel.hub");
    }
}
