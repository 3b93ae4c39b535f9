package dev.runnel.spring.boot;

import dev.runnel.servlet.ServletSse;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Settings of the auto-configured engine, under {@code runnel.*} in {@code application.properties}.
 * Every one has a default.
 *
 * @param debug debug mode: render errors show inline, producer errors carry the stack trace (default off)
 * @param closeEvent name of the event ({@code data: complete}) that ends a finished stream; none by default
 * @param retry when set, every stream starts with a retry meta event telling the browser how long to wait before reconnecting
 * @param shutdownGrace how long the application waits, when it stops, for producers to end (default 5 s)
 * @param writeTimeout how long one write may wait on a client that does not read (default 30 s)
 * @param watchConnections notice at once that a client left, on Tomcat and Jetty (default on); see
 *     {@link ServletSse.Builder#watchConnections}
 */
@ConfigurationProperties("runnel")
public record RunnelProperties(
        @DefaultValue("false") boolean debug,
        String closeEvent,
        Duration retry,
        @DefaultValue("5s") Duration shutdownGrace,
        @DefaultValue("30s") Duration writeTimeout,
        @DefaultValue("true") boolean watchConnections) {
}
