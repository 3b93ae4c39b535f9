package dev.runnel.example.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checks that keep the docs true to the repository: every relative link resolves, and every
 * code sample is the text of a compiled source file. Each check returns its problems, one line
 * each ({@code page:line: what is wrong}); none means the docs pass.
 *
 * <p>A sample is named by a line right above its fence: {@code <!-- sample: PATH#REGION -->} (the
 * fence must equal the region) or {@code <!-- sample: PATH -->} (the file must contain the fence's
 * lines, for templates). {@code PATH} is from the repository's root. A region is marked in the
 * source by {@code // docs:begin NAME} and {@code // docs:end NAME}; several parts with one name
 * are joined by one blank line (imports, then a method's body). Indentation does not count: each
 * part, and the fence, lose their common leading spaces.
 */
final class DocsCheck {

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:|^//");
    private static final Pattern LINE_ANCHOR = Pattern.compile("L\\d+(-L\\d+)?");
    private static final Pattern BEGIN = Pattern.compile("^\\s*//\\s*docs:begin\\s+(\\S+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*//\\s*docs:end\\s+(\\S+)\\s*$");

    private final Path root;

    /** Checks the repository (or test tree) at {@code root}. */
    DocsCheck(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The pages the checks read: the README, {@code docs/}, and the benchmark READMEs and results. */
    List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        for (String dir : List.of("docs", "bench", "runnel-bench")) {
            Path d = root.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.walk(d)) {
                    files.filter(p -> p.toString().endsWith(".md") && !inBuildOutput(root.relativize(p)))
                            .sorted().forEach(pages::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return pages;
    }

    private static boolean inBuildOutput(Path relative) {
        for (Path segment : relative) {
            if (segment.toString().equals("target")) {
                return true;
            }
        }
        return false;
    }

    /** Relative links and images whose file, or whose heading anchor, does not exist. */
    List<String> brokenLinks(List<Path> pages) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchors = new LinkedHashMap<>();
        for (Path page : pages) {
            for (MarkdownPage.Link link : MarkdownPage.read(page).links()) {
                String target = link.target();
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                int hash = target.indexOf('#');
                String file = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                String where = root.relativize(page) + ":" + link.line() + ": ";
                if (!Files.exists(resolved)) {
                    problems.add(where + "link to " + target + ": no file " + root.relativize(resolved));
                    continue;
                }
                if (anchor == null || anchor.isEmpty()) {
                    continue;
                }
                if (resolved.toString().endsWith(".md")) {
                    Set<String> known = anchors.get(resolved);
                    if (known == null) {
                        known = MarkdownPage.read(resolved).anchors();
                        anchors.put(resolved, known);
                    }
                    if (!known.contains(anchor)) {
                        problems.add(where + "link to " + target + ": no heading with anchor #" + anchor + " in " + root.relativize(resolved));
                    }
                } else if (!LINE_ANCHOR.matcher(anchor).matches()) {
                    problems.add(where + "link to " + target + ": #" + anchor + " in a file that is not Markdown");
                }
            }
        }
        return problems;
    }

    /** Java fences without a sample, and fences whose text is not their sample's. */
    List<String> sampleMismatches(List<Path> pages) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path page : pages) {
            for (MarkdownPage.Fence fence : MarkdownPage.read(page).fences()) {
                String where = root.relativize(page) + ":" + fence.line() + ": ";
                if (fence.sample() == null) {
                    if (fence.info().startsWith("java")) {
                        problems.add(where + "a Java sample without a <!-- sample: PATH#REGION --> line above it");
                    }
                    continue;
                }
                String problem = compare(fence);
                if (problem != null) {
                    problems.add(where + problem);
                }
            }
        }
        return problems;
    }

    private String compare(MarkdownPage.Fence fence) throws IOException {
        int hash = fence.sample().indexOf('#');
        Path file = root.resolve(hash < 0 ? fence.sample() : fence.sample().substring(0, hash)).normalize();
        if (!Files.isRegularFile(file)) {
            return "sample " + fence.sample() + ": no such file";
        }
        List<String> source = Files.readAllLines(file);
        List<String> shown = dedent(fence.lines());
        if (hash < 0) {
            List<String> trimmed = source.stream().map(String::strip).toList();
            List<String> wanted = shown.stream().map(String::strip).toList();
            return java.util.Collections.indexOfSubList(trimmed, wanted) >= 0 ? null
                    : "sample " + fence.sample() + ": the file does not contain the fence's lines";
        }
        String name = fence.sample().substring(hash + 1);
        List<List<String>> parts = regions(source).get(name);
        if (parts == null) {
            return "sample " + fence.sample() + ": no region // docs:begin " + name + " in the file";
        }
        List<String> region = joined(parts);
        if (region.equals(shown)) {
            return null;
        }
        for (int i = 0; ; i++) {
            String want = i < region.size() ? region.get(i) : "(end)";
            String got = i < shown.size() ? shown.get(i) : "(end)";
            if (!want.equals(got)) {
                return "sample " + fence.sample() + " differs from the page at its line " + (i + 1)
                        + ": the source has [" + want + "], the page [" + got + "]";
            }
        }
    }

    /** Regions marked in source files under the modules' {@code src/} that no page shows. */
    List<String> unusedRegions(List<Path> pages) throws IOException {
        Set<String> shown = new LinkedHashSet<>();
        for (Path page : pages) {
            for (MarkdownPage.Fence fence : MarkdownPage.read(page).fences()) {
                if (fence.sample() != null) {
                    shown.add(fence.sample());
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Path file : javaSources()) {
            for (String name : regions(Files.readAllLines(file)).keySet()) {
                String ref = root.relativize(file) + "#" + name;
                if (!shown.contains(ref)) {
                    problems.add(ref + ": a docs region that no page shows");
                }
            }
        }
        return problems;
    }

    /** The Java files under the root, not looking into build output, Git or npm's folders. */
    private List<Path> javaSources() throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return name.equals("target") || name.equals(".git") || name.equals("node_modules")
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.toString().endsWith(".java")) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }

    /** The source's regions by name, each as its parts; an unclosed or mismatched marker is an error. */
    static Map<String, List<List<String>>> regions(List<String> source) {
        Map<String, List<List<String>>> regions = new LinkedHashMap<>();
        String open = null;
        List<String> part = null;
        for (int i = 0; i < source.size(); i++) {
            Matcher begin = BEGIN.matcher(source.get(i));
            Matcher end = END.matcher(source.get(i));
            if (begin.matches()) {
                if (open != null) {
                    throw new IllegalStateException("line " + (i + 1) + ": docs:begin " + begin.group(1) + " inside region " + open);
                }
                open = begin.group(1);
                part = new ArrayList<>();
            } else if (end.matches()) {
                if (!end.group(1).equals(open)) {
                    throw new IllegalStateException("line " + (i + 1) + ": docs:end " + end.group(1) + " but the open region is " + open);
                }
                regions.computeIfAbsent(open, k -> new ArrayList<>()).add(dedent(part));
                open = null;
            } else if (open != null) {
                part.add(source.get(i));
            }
        }
        if (open != null) {
            throw new IllegalStateException("region " + open + " is not closed");
        }
        return regions;
    }

    private static List<String> joined(List<List<String>> parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            if (!all.isEmpty()) {
                all.add("");
            }
            all.addAll(part);
        }
        return all;
    }

    /** The lines without trailing spaces, leading and trailing blank lines, and their common indentation. */
    static List<String> dedent(List<String> lines) {
        List<String> stripped = lines.stream().map(String::stripTrailing).toList();
        int from = 0;
        int to = stripped.size();
        while (from < to && stripped.get(from).isEmpty()) {
            from++;
        }
        while (to > from && stripped.get(to - 1).isEmpty()) {
            to--;
        }
        List<String> body = stripped.subList(from, to);
        int indent = body.stream().filter(l -> !l.isEmpty()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return body.stream().map(l -> l.isEmpty() ? l : l.substring(indent)).toList();
    }
}
