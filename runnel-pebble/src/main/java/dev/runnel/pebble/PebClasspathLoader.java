package dev.runnel.pebble;

import io.pebbletemplates.pebble.loader.ClasspathLoader;

import java.io.Reader;

/**
 * A {@link ClasspathLoader} that adds {@code .peb} only when the name lacks it, so {@code "home"},
 * {@code "home.peb"} and {@code {% extends "base.peb" %}} all work and share one cache entry.
 */
final class PebClasspathLoader extends ClasspathLoader {

    PebClasspathLoader(String prefix) {
        super(PebClasspathLoader.class.getClassLoader());
        setPrefix(normalisePrefix(prefix));
        setSuffix(PebbleFragments.SUFFIX);
    }

    @Override
    public Reader getReader(String templateName) {
        return super.getReader(withoutSuffix(templateName));
    }

    @Override
    public String createCacheKey(String templateName) {
        return withoutSuffix(templateName);
    }

    @Override
    public boolean resourceExists(String templateName) {
        return super.resourceExists(withoutSuffix(templateName));
    }

    private static String withoutSuffix(String name) {
        return name.endsWith(PebbleFragments.SUFFIX)
                ? name.substring(0, name.length() - PebbleFragments.SUFFIX.length())
                : name;
    }

    // ClassLoader resource paths never start with '/', and Pebble would turn "" into "/".
    private static String normalisePrefix(String prefix) {
        if (prefix == null) {
            return null;
        }
        String trimmed = prefix.strip();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        return trimmed.isEmpty() ? null : trimmed;
    }
}
