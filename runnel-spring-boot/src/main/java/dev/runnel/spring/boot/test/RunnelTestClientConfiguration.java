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
            return URI.create("http://127.0.0.1:" + port + context + "/");
        });
    }
}
