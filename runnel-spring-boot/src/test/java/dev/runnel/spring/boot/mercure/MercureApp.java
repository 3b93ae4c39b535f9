package dev.runnel.spring.boot.mercure;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application behind Spring Security (HTTP Basic, CSRF on) that serves the Mercure hub: the hub's
 * paths are left to the hub's own tokens, as the docs tell applications to do.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class MercureApp {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/.well-known/mercure/**").permitAll()
                        .anyRequest().authenticated())
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.ignoringRequestMatchers("/.well-known/mercure/**"))
                .build();
    }
}
