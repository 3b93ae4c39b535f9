package dev.runnel.spring.boot.test;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.net.URI;

/** The {@link RunnelTestClient} of a {@link RunnelTest}: it asks the environment for the port on each use, once the server has one. */
@TestConfiguration(proxyBeanMethods = false)
public class RunnelTestClientConfiguration {

    @Bean
    RunnelTestClient runnelTestClient(Environment environment) {
        return new RunnelTestClient(() -> {
            String port = environment.getProperty("local.server.port");
            if (port == null) {
                throw new IllegalStateException("the web server has no port yet: RunnelTestClient needs "
                        + "@SpringBootTest(webEnvironment = RANDOM_PORT or DEFINED_PORT), which @RunnelTest sets");
            }
            String context = environment.getProperty("server.servlet.context-path", "");
            // Spring Boot serves TLS when a key is configured, unless server.ssl.enabled=false
            boolean tls = !"false".equals(environment.getProperty("server.ssl.enabled"))
                    && (environment.getProperty("server.ssl.bundle") != null || environment.getProperty("server.ssl.key-store") != null
                    || environment.getProperty("server.ssl.certificate") != null);
            String scheme = tls ? "https" : "http";
            return URI.create(scheme + "://" + host(environment.getProperty("server.address")) + ":" + port + context + "/");
        });
    }

    /** The server's address when it listens on one, else loopback (the server listens on every address). */
    private static String host(String address) {
        if (address == null || address.isBlank() || address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
            return "127.0.0.1";
        }
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }
}
