package dev.runnel.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.Source;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which Runnel module each package comes from: the jar or {@code target/classes} directory its
 * classes were read from, named after the artifact ({@code runnel-core}). Rules speak of modules,
 * not of package prefixes: core's packages ({@code dev.runnel}, {@code dev.runnel.internal}) are
 * prefixes of every other module's.
 *
 * @param modulesOfPackage every package with the modules holding classes of it (more than one is a
 *     split package)
 */
record Modules(Map<String, Set<String>> modulesOfPackage) {

    /** Reads the module of every class from where it was imported. */
    static Modules of(JavaClasses classes) {
        Map<String, Set<String>> modules = new TreeMap<>();
        for (JavaClass c : classes) {
            String module = moduleName(c);
            modules.computeIfAbsent(c.getPackageName(), p -> new TreeSet<>()).add(module);
        }
        return new Modules(modules);
    }

    /** The module of a class, or {@code null} for one outside Runnel (the JDK, a library). */
    String of(JavaClass c) {
        Set<String> modules = modulesOfPackage.get(c.getBaseComponentType().getPackageName());
        return modules == null ? null : modules.iterator().next();
    }

    /** The names of all modules read. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        modulesOfPackage.values().forEach(names::addAll);
        return names;
    }

    /** Packages found in more than one module, with those modules. */
    Map<String, Set<String>> splitPackages() {
        Map<String, Set<String>> split = new TreeMap<>();
        modulesOfPackage.forEach((p, m) -> {
            if (m.size() > 1) {
                split.put(p, m);
            }
        });
        return split;
    }

    /** A copy where {@code pkg} belongs to {@code module} only: to show that a rule can fail. */
    Modules moved(String pkg, String module) {
        Map<String, Set<String>> copy = new TreeMap<>(modulesOfPackage);
        copy.put(pkg, Set.of(module));
        return new Modules(copy);
    }

    /** A copy where {@code pkg} is in {@code module} too. */
    Modules alsoIn(String pkg, String module) {
        Map<String, Set<String>> copy = new TreeMap<>(modulesOfPackage);
        Set<String> modules = new TreeSet<>(copy.getOrDefault(pkg, Set.of()));
        modules.add(module);
        copy.put(pkg, modules);
        return new Modules(copy);
    }

    /**
     * {@code runnel-core} for {@code .../runnel-core/target/classes/dev/runnel/X.class} and for
     * {@code jar:file:.../runnel-core-0.1.0-SNAPSHOT.jar!/dev/runnel/X.class}.
     */
    private static String moduleName(JavaClass c) {
        URI uri = c.getSource().map(Source::getUri)
                .orElseThrow(() -> new IllegalStateException("no source for " + c.getName()));
        String text = uri.toString();
        if (text.startsWith("jar:")) {
            String jar = text.substring(0, text.indexOf("!/"));
            String file = jar.substring(jar.lastIndexOf('/') + 1);
            return file.replaceFirst("-\\d.*\\.jar$", "").replaceFirst("\\.jar$", "");
        }
        String classFile = c.getName().replace('.', '/') + ".class";
        if (!text.endsWith(classFile)) {
            throw new IllegalStateException("unexpected location of " + c.getName() + ": " + uri);
        }
        String root = text.substring(0, text.length() - classFile.length());
        if (!root.endsWith("/target/classes/")) {
            throw new IllegalStateException("not a module's classes directory: " + root);
        }
        String project = root.substring(0, root.length() - "/target/classes/".length());
        return project.substring(project.lastIndexOf('/') + 1);
    }
}
