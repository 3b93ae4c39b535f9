package dev.runnel.zstd;

import dev.runnel.compress.StreamCompressor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: opens N compressors at each setting, makes each fill its window with full blocks of
 * text full of short repeats (so every buffer and table of zstd is touched), and prints the growth
 * of the process's resident memory per compressor next to {@link StreamCompressor#memoryBytes()}.
 * Linux only (reads /proc/self/status).
 *
 * <p>Run one setting per JVM (freed native memory stays resident and would hide the next one's),
 * with the heap fixed and touched up front so that its growth is not counted:
 * <pre>
 * mvn -q -o test-compile -pl runnel-zstd -am
 * java --enable-native-access=ALL-UNNAMED -Xms64m -Xmx64m -XX:+AlwaysPreTouch \
 *   -cp runnel-zstd/target/classes:runnel-zstd/target/test-classes:runnel-core/target/classes:ZSTD_JNI_JAR \
 *   dev.runnel.zstd.ZstdMemoryMain 10000 12:1
 * </pre>
 */
public final class ZstdMemoryMain {

    private static final byte[] TEXT = new byte[1 << 20];

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<String> settings = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("12:1", "12:3", "10:1", "11:1", "13:1", "14:1", "15:1", "14:3");
        Random random = new Random(1);
        String alphabet = "<div class=\"row\">&;/ 0123456789abc";
        for (int i = 0; i < TEXT.length; i++) {
            TEXT[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
        }
        ZstdCoding coding = new ZstdCoding();
        System.out.printf("%-9s %-5s %10s %14s %16s%n", "windowLog", "level", "compressors", "memoryBytes()", "RSS growth each");
        for (String setting : settings) {
            int windowLog = Integer.parseInt(setting.split(":")[0]);
            int level = Integer.parseInt(setting.split(":")[1]);
            List<StreamCompressor> open = new ArrayList<>(count);
            System.gc();
            Thread.sleep(300);
            long before = residentBytes();
            long estimate = 0;
            for (int i = 0; i < count; i++) {
                StreamCompressor compressor = coding.open(windowLog, level);
                fill(compressor, windowLog, random);
                estimate = compressor.memoryBytes();
                open.add(compressor);
            }
            long after = residentBytes();
            System.out.printf("%-9d %-5d %10d %14d %16d%n", windowLog, level, count, estimate, (after - before) / count);
            open.forEach(StreamCompressor::close);
        }
    }

    /** Twice the window plus a block, in full 64 KiB calls: every buffer and table is written. */
    private static void fill(StreamCompressor compressor, int windowLog, Random random) {
        long total = 2 * (1L << windowLog) + (128 << 10);
        for (long done = 0; done < total; done += 65536) {
            int from = random.nextInt(TEXT.length - 65536);
            compressor.compress(ByteBuffer.wrap(TEXT, from, 65536));
        }
    }

    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }
}
