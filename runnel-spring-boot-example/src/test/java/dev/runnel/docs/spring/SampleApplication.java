package dev.runnel.docs.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application around the sample of docs/SPRING-AND-SERVLETS.md, {@link ClockController}. Its own
 * package, so the example application's component scan does not pick the sample's controller up.
 */
@SpringBootApplication
class SampleApplication {
}
