package dev.runnel.spring.boot.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot 4 MVC application on Tomcat whose controller methods return Runnel streams: a public
 * activity feed, a live page of the signed-in user's notifications (log in as ada / ada-pw or
 * bob / bob-pw), Thymeleaf fragments swapped in by htmx, a clock and a JSON ticker. Run it
 * with {@code mvn -q -pl runnel-spring-boot-example -am install -DskipTests} and then
 * {@code mvn -f runnel-spring-boot-example/pom.xml spring-boot:run} (or run this class), and open
 * {@code http://127.0.0.1:8080/}.
 */
@SpringBootApplication
public class ExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
