package dev.runnel.jetty;

import dev.runnel.SseEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Static files from the class path, exploded or in a jar: files are served, directories are not found. */
class StaticFilesTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private RunnelServer server;
    private URLClassLoader loader;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (loader != null) {
            loader.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private RunnelServer newServer() {
        return RunnelServer.builder().port(0).engine(SseEngine.builder().build()).build();
    }

    @Test
    void aDirectoryOnTheFileSystemClassPathIsNotFound() throws Exception {
        server = newServer().staticFiles("/static", "static").start();
        assertThat(get("/static/sub").statusCode()).isEqualTo(404);
        assertThat(get("/static/sub/").statusCode()).isEqualTo(404);
        assertThat(get("/static/").statusCode()).isEqualTo(404);
        HttpResponse<String> file = get("/static/sub/inner.txt");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo("inside a directory\n");
        HttpResponse<String> css = get("/static/runnel-test.css");
        assertThat(css.headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
    }

    @Test
    void aDirectoryInAJarIsNotFound(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("assets.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("web/"));
            out.putNextEntry(new JarEntry("web/sub/"));
            out.putNextEntry(new JarEntry("web/sub/app.js"));
            out.write("console.log('é');\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        loader = new URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null);
        server = newServer();
        server.staticFiles("/assets", "web", loader);
        server.start();
        assertThat(get("/assets/sub").statusCode()).isEqualTo(404);
        assertThat(get("/assets/sub/").statusCode()).isEqualTo(404);
        HttpResponse<String> file = get("/assets/sub/app.js");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(file.body()).isEqualTo("console.log('é');\n");
    }

    @Test
    void aDirectoryFromAClassLoaderOfAnotherProtocolIsNotFound() throws Exception {
        // as a vfs: or bundle: loader does: a directory is found both as "dir" and as "dir/", and opens as a listing
        java.util.Map<String, String> resources = java.util.Map.of(
                "web/sub", "app.js\n",
                "web/sub/", "app.js\n",
                "web/sub/app.js", "console.log('é');\n",
                "web/listed", "x\n", // found with a URL that ends in '/'
                "web/twin", "a file here\n",
                "web/twin/", "a directory in another class path entry\n");
        ClassLoader memory = new ClassLoader(null) {
            @Override
            protected java.net.URL findResource(String name) {
                if (!resources.containsKey(name)) {
                    return null;
                }
                String where = name.equals("web/listed") ? "mem:/one/web/listed/"
                        : name.equals("web/twin/") ? "mem:/two/web/twin/" : "mem:/one/" + name;
                try {
                    return java.net.URL.of(java.net.URI.create(where), new java.net.URLStreamHandler() {
                        @Override
                        protected java.net.URLConnection openConnection(java.net.URL url) {
                            return new java.net.URLConnection(url) {
                                @Override
                                public void connect() {
                                }

                                @Override
                                public java.io.InputStream getInputStream() {
                                    return new java.io.ByteArrayInputStream(resources.get(name).getBytes(StandardCharsets.UTF_8));
                                }
                            };
                        }
                    });
                } catch (java.net.MalformedURLException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        server = newServer();
        server.staticFiles("/assets", "web", memory);
        server.start();
        assertThat(get("/assets/sub").statusCode()).isEqualTo(404);
        assertThat(get("/assets/listed").statusCode()).isEqualTo(404);
        HttpResponse<String> file = get("/assets/sub/app.js");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo("console.log('é');\n");
        HttpResponse<String> twin = get("/assets/twin");
        assertThat(twin.statusCode()).isEqualTo(200);
        assertThat(twin.body()).isEqualTo("a file here\n");
    }

    @Test
    void encodedSlashesAndDotsNeverReachAFileOutsideTheRoot() throws Exception {
        // the server keeps an encoded '/' inside a segment (for Mercure's URLs): it must not open a way up
        server = newServer().staticFiles("/files", "static/sub").start();
        assertThat(get("/files/inner.txt").statusCode()).isEqualTo(200);
        for (String path : new String[]{"/files/..%2Frunnel-test.css", "/files/%2E%2E/runnel-test.css", "/files/%2e%2e%2frunnel-test.css",
                "/files/x%2F..%2F..%2Frunnel-test.css", "/files/..%5Crunnel-test.css", "/files/%2F..%2Frunnel-test.css",
                "/files/.%2E/runnel-test.css", "/files/%252E%252E%252Frunnel-test.css"}) {
            HttpResponse<String> answer = get(path);
            assertThat(answer.statusCode()).as(path).isIn(400, 404);
            assertThat(answer.body()).as(path).doesNotContain("{");
        }
    }
}
