package dev.runnel.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CPU time, resident memory and JVM heap of a process and its children, from /proc and jcmd. */
final class ProcessStats {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private ProcessStats() {
    }

    /** CPU time of this JVM, in nanoseconds. */
    static long ownCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** Busy CPU time of the whole machine (all processes), in nanoseconds, from /proc/stat. */
    static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * (1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The process and its descendants (an nginx master and its workers). */
    static List<Long> tree(long pid) {
        List<Long> all = new ArrayList<>();
        all.add(pid);
        for (int i = 0; i < all.size(); i++) {
            long p = all.get(i);
            try {
                for (String c : Files.readString(Path.of("/proc/" + p + "/task/" + p + "/children")).trim().split("\\s+")) {
                    if (!c.isEmpty()) {
                        all.add(Long.parseLong(c));
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // gone or not readable
            }
        }
        return all;
    }

    /** utime + stime of the process tree, in nanoseconds. */
    static long cpuNanos(long pid) {
        long ticks = 0;
        for (long p : tree(pid)) {
            try {
                String stat = Files.readString(Path.of("/proc/" + p + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException ignored) {
                // gone
            }
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** VmRSS of the process tree, in KiB. */
    static long rssKib(long pid) {
        long kib = 0;
        for (long p : tree(pid)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + p + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // gone
            }
        }
        return kib;
    }

    static boolean isJvm(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).contains("java");
        } catch (IOException e) {
            return false;
        }
    }

    /** Heap in use after a full GC, in KiB, by {@code jcmd PID GC.run} then {@code GC.heap_info}; -1 if unknown. */
    static long heapAfterGcKib(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            run(jcmd, Long.toString(pid), "GC.run");
            String info = run(jcmd, Long.toString(pid), "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
