package dev.runnel.spring.boot.example;

import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The paths of htmx and its SSE extension inside their WebJars, which Spring Boot serves under
 * {@code /webjars/}: the pages load them from this application, never from a CDN. The versions come
 * from the jars themselves, so upgrading the dependency is all it takes.
 */
@ControllerAdvice
class WebJars {

    private final String htmx = "/webjars/htmx.org/" + version("htmx.org") + "/dist/htmx.min.js";
    private final String htmxSse = "/webjars/htmx-ext-sse/" + version("htmx-ext-sse") + "/sse.js";

    @ModelAttribute("htmxJs")
    String htmx() {
        return htmx;
    }

    @ModelAttribute("htmxSseJs")
    String htmxSse() {
        return htmxSse;
    }

    private static String version(String artifact) {
        String path = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = WebJars.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the WebJar org.webjars.npm:" + artifact + " is not on the class path (no " + path + ")");
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
