package dev.runnel.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The rules between Runnel's modules, over a {@link Modules} map so a test can show each one failing. */
final class ArchitectureRules {

    /** The packages the JDK's modules export to everyone: {@code java.*}, {@code javax.*}, {@code jdk.*}, ... */
    static final Set<String> JDK_API = ModuleFinder.ofSystem().findAll().stream()
            .map(ModuleReference::descriptor)
            .flatMap(d -> d.exports().stream())
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toUnmodifiableSet());

    private ArchitectureRules() {
    }

    /** The module's classes use the JDK's API and the module itself, nothing else. */
    static ArchRule dependsOnTheJdkOnly(String module, Modules modules) {
        return classes().that(areIn(module, modules))
                .should(dependOnlyOn("the JDK's API and " + module,
                        (origin, target) -> JDK_API.contains(target.getPackageName()) || module.equals(modules.of(target))));
    }

    /**
     * A package with an {@code internal} segment ({@code dev.runnel.internal},
     * {@code dev.runnel.client.internal}, ...) is used by its own module only.
     */
    static ArchRule internalPackagesStayInTheirModule(Modules modules) {
        return classes().that(areInAnyModule(modules))
                .should(dependOnlyOn("their own module's internal packages",
                        (origin, target) -> modules.of(target) == null || !isInternal(target)
                                || Objects.equals(modules.of(origin), modules.of(target))));
    }

    /** The module's classes never use another Runnel module: adapters depend on core, never the reverse. */
    static ArchRule dependsOnNoOtherRunnelModule(String module, Modules modules) {
        return classes().that(areIn(module, modules))
                .should(dependOnlyOn("classes of " + module + " among Runnel's modules",
                        (origin, target) -> modules.of(target) == null || module.equals(modules.of(target))));
    }

    static boolean isInternal(JavaClass c) {
        String pkg = "." + c.getPackageName() + ".";
        return pkg.contains(".internal.");
    }

    private static DescribedPredicate<JavaClass> areIn(String module, Modules modules) {
        return DescribedPredicate.describe("are in " + module, c -> module.equals(modules.of(c)));
    }

    private static DescribedPredicate<JavaClass> areInAnyModule(Modules modules) {
        return DescribedPredicate.describe("are in a Runnel module", c -> modules.of(c) != null);
    }

    /** Every direct dependency (calls, fields, types in signatures, annotations, ...) passes {@code allowed}. */
    private static ArchCondition<JavaClass> dependOnlyOn(String what, BiPredicate<JavaClass, JavaClass> allowed) {
        return new ArchCondition<>("depend only on " + what) {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass().getBaseComponentType();
                    if (!target.isPrimitive() && !allowed.test(origin, target)) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }
}
