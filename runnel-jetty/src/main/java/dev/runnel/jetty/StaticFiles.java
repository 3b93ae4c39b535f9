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
        URL url = loader.getResource(root + "/" + rest);
        if (url == null) {
            return null;
        }
        try {
            URLConnection connection = url.openConnection();
            if (isDirectory(url, connection)) {
                return null;
            }
            try (InputStream in = connection.getInputStream()) {
                return new HttpResponse(200, contentType(rest), in.readAllBytes(), Map.of("Cache-Control", "public, max-age=3600"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isDirectory(URL url, URLConnection connection) throws IOException {
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
        return false;
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
