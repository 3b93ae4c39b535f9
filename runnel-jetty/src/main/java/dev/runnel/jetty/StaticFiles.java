package dev.runnel.jetty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;

/**
 * Class-path resources under one URL prefix. Only files are served: a directory, whether a folder
 * of an exploded class path or an entry of a jar, is not found (a class loader would otherwise hand
 * out a listing or an empty body for it).
 *
 * <p>{@code file:} and {@code jar:} resources are asked directly. For any other protocol (an
 * application server's {@code vfs:}, an OSGi {@code bundle:}) a resource is taken for a directory
 * when its URL ends in {@code /}, or when the loader also finds the name with a {@code /} appended,
 * at the same URL plus {@code /}. A loader that does neither for a folder has it served as whatever
 * it opens as. (The JDK's {@code jrt:} loader finds no folders at all.)
 */
record StaticFiles(String urlPrefix, String root, ClassLoader loader) {

    StaticFiles {
        if (!urlPrefix.startsWith("/")) {
            throw new IllegalArgumentException("static URL prefix must start with '/', got \"" + urlPrefix + '"');
        }
        urlPrefix = urlPrefix.endsWith("/") ? urlPrefix : urlPrefix + "/";
        root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    }

    /** The file for {@code path}, or {@code null} when it is outside the prefix, absent or a directory. */
    HttpResponse find(String path) {
        if (!path.startsWith(urlPrefix)) {
            return null;
        }
        String rest = path.substring(urlPrefix.length());
        if (rest.isEmpty() || rest.contains("..") || rest.contains("\\") || rest.startsWith("/") || rest.endsWith("/")) {
            return null;
        }
        String name = root + "/" + rest;
        URL url = loader.getResource(name);
        if (url == null) {
            return null;
        }
        try {
            URLConnection connection = url.openConnection();
            if (isDirectory(name, url, connection)) {
                return null;
            }
            try (InputStream in = connection.getInputStream()) {
                return new HttpResponse(200, contentType(rest), in.readAllBytes(), Map.of("Cache-Control", "public, max-age=3600"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean isDirectory(String name, URL url, URLConnection connection) throws IOException {
        if (connection instanceof JarURLConnection jar) {
            JarEntry entry = jar.getJarEntry(); // a jar finds "dir/" when asked for "dir"
            return entry == null || entry.isDirectory();
        }
        if (url.getProtocol().equals("file")) {
            try {
                return Files.isDirectory(Path.of(url.toURI()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                return false;
            }
        }
        String found = url.toExternalForm();
        if (found.endsWith("/")) {
            return true;
        }
        // the same place as a folder; a "name/" of another class path entry says nothing about this one
        URL asFolder = loader.getResource(name + "/");
        return asFolder != null && asFolder.toExternalForm().equals(found + "/");
    }

    private static String contentType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".js") || lower.endsWith(".mjs")) return "text/javascript; charset=utf-8";
        if (lower.endsWith(".css")) return "text/css; charset=utf-8";
        if (lower.endsWith(".html")) return "text/html; charset=utf-8";
        if (lower.endsWith(".json") || lower.endsWith(".map")) return "application/json";
        if (lower.endsWith(".svg")) return "image/svg+xml";
        if (lower.endsWith(".png")) return "image/png";
        if (lower.endsWith(".ico")) return "image/x-icon";
        return "application/octet-stream";
    }
}
