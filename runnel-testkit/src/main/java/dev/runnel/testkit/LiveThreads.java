package dev.runnel.testkit;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
