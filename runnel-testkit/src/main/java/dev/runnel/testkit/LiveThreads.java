package dev.runnel.testkit;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts live threads, virtual ones included, by name prefix. Uses the JDK's thread dump
 * ({@code HotSpotDiagnosticMXBean.dumpThreads}), which lists every virtual thread, unlike
 * {@code Thread.getAllStackTraces()}.
 */
public final class LiveThreads {

    private LiveThreads() {
    }

    /** Number of live threads whose name starts with {@code prefix}. */
    public static int named(String prefix) {
        return names(prefix).size();
    }

    /** The names of the live threads whose name starts with {@code prefix}, for a failure message that says which. */
    public static List<String> names(String prefix) {
        try {
            Path file = Files.createTempFile("runnel-threads", ".json");
            Files.delete(file); // dumpThreads refuses to overwrite
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                String json = Files.readString(file);
                Matcher m = Pattern.compile("\"name\":\\s*\"(" + Pattern.quote(prefix) + "(?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
                List<String> names = new ArrayList<>();
                while (m.find()) {
                    names.add(m.group(1));
                }
                return names;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("thread dump failed", e);
        }
    }

    /**
     * The threads named {@code prefix...} that are alive now beyond those in {@code before} (a list
     * from {@link #names}, counted per name, so a second thread of an already listed name counts),
     * waiting up to {@code wait} for ending threads to go. Other tests in the same JVM may leave
     * threads of engines they never closed; comparing with a snapshot keeps them out of the count.
     */
    public static List<String> leftSince(List<String> before, String prefix, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> left = beyond(before, names(prefix));
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = beyond(before, names(prefix));
        }
        return left;
    }

    private static List<String> beyond(List<String> before, List<String> now) {
        Map<String, Integer> allowed = new HashMap<>();
        before.forEach(name -> allowed.merge(name, 1, Integer::sum));
        List<String> extra = new ArrayList<>();
        for (String name : now) {
            if (allowed.merge(name, -1, Integer::sum) < 0) {
                extra.add(name);
            }
        }
        return extra;
    }
}
