package dev.runnel.compress;

/**
 * A provided coding whose library is missing: its constructor fails as a class that references an
 * absent jar does. Listed in this module's test {@code META-INF/services}, so every core test JVM
 * looks it up; {@link ContentCodingsTest} checks that the others stay available.
 */
public final class UnloadableCoding implements ContentCoding {

    public UnloadableCoding() {
        throw new NoClassDefFoundError("com/example/MissingNativeLibrary");
    }

    @Override
    public String name() {
        return "unloadable";
    }

    @Override
    public int minWindowLog() {
        return 10;
    }

    @Override
    public int maxWindowLog() {
        return 10;
    }

    @Override
    public int defaultWindowLog() {
        return 10;
    }

    @Override
    public int minLevel() {
        return 1;
    }

    @Override
    public int maxLevel() {
        return 1;
    }

    @Override
    public int defaultLevel() {
        return 1;
    }

    @Override
    public StreamCompressor open(int windowLog, int level) {
        throw new UnsupportedOperationException();
    }
}
