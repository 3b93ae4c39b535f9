package dev.runnel.spring.boot.mercure;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * An application behind Spring Security (HTTP Basic, CSRF on) that serves the Mercure hub: the hub's
 * paths are left to the hub's own tokens, and one subscription's URL (its topic percent-encoded,
 * {@code /} as {@code %2F}) gets through Tomcat and Spring Security's firewall, as the docs tell
 * applications to do.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class MercureApp {

    // docs:begin security
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/.well-known/mercure/**").permitAll()  // the hub's own tokens guard it
                        .anyRequest().authenticated())
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.ignoringRequestMatchers("/.well-known/mercure/**"))  // it would read the publish form
                .build();
    }
    // docs:end security

    // docs:begin encoded-slashes
    /** Tomcat refuses {@code %2F} in a path unless told to pass it through (still encoded). */
    @Bean
    TomcatConnectorCustomizer encodedSlashes() {
        return connector -> connector.setEncodedSolidusHandling("passthrough");
    }

    /** Spring Security's firewall refuses {@code %2F}, {@code %2F%2F} (as in {@code https%3A%2F%2F}) and {@code %25} unless allowed. */
    @Bean
    HttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowUrlEncodedSlash(true);
        firewall.setAllowUrlEncodedDoubleSlash(true);
        firewall.setAllowUrlEncodedPercent(true);
        return firewall;
    }
    // docs:end encoded-slashes
}
