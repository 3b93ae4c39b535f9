package dev.runnel.spring.boot.example;

import dev.runnel.hub.TopicAccess;
import dev.runnel.spring.boot.security.SecurityTopicAccess;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authorization.SingleResultAuthorizationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may see what: the activity feed, the clock and the ticker are public; the notifications page
 * needs a login; each user's notifications topic is theirs alone. Two demo users, ada and bob, with
 * passwords in plain text: a demo, not a way to keep passwords.
 */
@Configuration(proxyBeanMethods = false)
class ExampleSecurity {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/", "/sse/activity", "/sse/clock", "/sse/ticker/*", "/webjars/**", "/app.css",
                                "/actuator/health/**", "/error").permitAll()
                        .anyRequest().authenticated())
                .formLogin(login -> login.defaultSuccessUrl("/notifications"))
                .logout(Customizer.withDefaults())
                .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("ada").password("{noop}ada-pw").roles("USER").build(),
                User.withUsername("bob").password("{noop}bob-pw").roles("USER").build());
    }

    @Bean
    TopicAccess topicAccess() {
        return SecurityTopicAccess.builder()
                .subscribe("activity", SingleResultAuthorizationManager.permitAll())
                .subscribe("notifications.{user}", SecurityTopicAccess.principalIs("user"))
                .build();
    }
}
