package dev.runnel.spring.boot.secured;

import dev.runnel.EventStream;
import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.RequestContext;
import dev.runnel.hub.Hub;
import dev.runnel.hub.TopicAccess;
import dev.runnel.spring.boot.security.SecurityTopicAccess;
import dev.runnel.thymeleaf.ThymeleafFragments;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.authorization.AuthenticatedAuthorizationManager;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.SingleResultAuthorizationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application behind Spring Security (form login, HTTP Basic, logout, CSRF on), with per-user
 * topics guarded by {@link SecurityTopicAccess}, and counters of what happened to each request.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(SecuredApp.Streams.class)
public class SecuredApp {

    /** Every dispatch of every request of every test's application, in order: {@code REQUEST /sse/me?x=1}. */
    public static final List<String> DISPATCHES = new CopyOnWriteArrayList<>();
    /** Successful authentications, by user name. */
    public static final Map<String, AtomicInteger> AUTHENTICATIONS = new ConcurrentHashMap<>();
    /** Fragment renders. */
    public static final AtomicInteger RENDERS = new AtomicInteger();

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/sse/activity", "/publish/**", "/login", "/error").permitAll()
                        .anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .httpBasic(Customizer.withDefaults())
                .logout(Customizer.withDefaults())
                .csrf(c -> c.ignoringRequestMatchers("/publish/**"))
                .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("ada").password("{noop}ada-pw").roles("USER").build(),
                User.withUsername("bob").password("{noop}bob-pw").roles("USER").build(),
                User.withUsername("root").password("{noop}root-pw").roles("USER", "ADMIN").build());
    }

    @Bean
    TopicAccess topicAccess() {
        return SecurityTopicAccess.builder()
                .subscribe("activity", SingleResultAuthorizationManager.permitAll())
                .subscribe("notifications.{user}", SecurityTopicAccess.principalIs("user"))
                .subscribe("admin.**", AuthorityAuthorizationManager.hasRole("ADMIN"))
                .publish("activity", AuthenticatedAuthorizationManager.authenticated())
                .publish("notifications.*", AuthorityAuthorizationManager.hasRole("ADMIN"))
                .build();
    }

    /** The application's own renderer: Thymeleaf on Spring's engine, counting renders. */
    @Bean
    FragmentRenderer countingRenderer(SpringTemplateEngine engine) {
        ThymeleafFragments thymeleaf = new ThymeleafFragments(engine);
        return fragment -> {
            RENDERS.incrementAndGet();
            return thymeleaf.render(fragment);
        };
    }

    @Bean
    FilterRegistrationBean<Filter> dispatchRecorder() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            DISPATCHES.add(request.getDispatcherType() + " " + http.getRequestURI()
                    + (http.getQueryString() == null ? "" : "?" + http.getQueryString()));
            chain.doFilter(request, response);
        });
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR, DispatcherType.FORWARD,
                DispatcherType.INCLUDE);
        registration.setAsyncSupported(true);
        registration.setOrder(Integer.MIN_VALUE + 1);
        return registration;
    }

    /** Requests with {@code ?hold=name} wait in a filter, after the handler returned, until {@link #release} lets them go. */
    public static final Map<String, java.util.concurrent.CountDownLatch> HELD = new ConcurrentHashMap<>();
    /** Counted down when a held request reached the hold, by name. */
    public static final Map<String, java.util.concurrent.CountDownLatch> REACHED = new ConcurrentHashMap<>();

    static void hold(String name) {
        HELD.put(name, new java.util.concurrent.CountDownLatch(1));
        REACHED.put(name, new java.util.concurrent.CountDownLatch(1));
    }

    static void release(String name) {
        HELD.get(name).countDown();
    }

    @Bean
    FilterRegistrationBean<Filter> holdAfterHandler() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
            chain.doFilter(request, response);
            if (request.getParameter("throwAfter") != null) {
                throw new IllegalStateException("a filter that fails after the handler returned");
            }
            String name = request.getParameter("hold");
            if (name != null && HELD.containsKey(name)) {
                REACHED.get(name).countDown();
                try {
                    HELD.get(name).await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.setAsyncSupported(true);
        registration.setOrder(Integer.MIN_VALUE + 2);
        return registration;
    }

    @Bean
    ApplicationListener<AuthenticationSuccessEvent> authenticationCounter() {
        return event -> AUTHENTICATIONS.computeIfAbsent(event.getAuthentication().getName(), n -> new AtomicInteger()).incrementAndGet();
    }

    @RestController
    static class Streams {
        private final Hub hub;

        Streams(Hub hub) {
            this.hub = hub;
        }

        /** Who the stream's producer sees as the principal, and what type it is. */
        @GetMapping("/sse/me")
        EventStream me() {
            return EventStream.producer(out -> {
                out.emit(out.context().principal().getName());
                out.emit(out.context().principal().getClass().getSimpleName());
            });
        }

        /** Writes as fast as the client reads, until it leaves. */
        @GetMapping("/sse/flood")
        EventStream flood() {
            return EventStream.producer(out -> {
                String line = "x".repeat(1024);
                for (long i = 0; ; i++) {
                    out.emit(i + line);
                }
            });
        }

        @GetMapping("/sse/notifications/{user}")
        EventStream notifications(RequestContext request, @PathVariable String user) {
            return hub.subscribe(request, SecurityTopicAccess.userTopic("notifications", user));
        }

        @GetMapping("/sse/activity")
        EventStream activity(RequestContext request) {
            return hub.subscribe(request, "activity");
        }

        @GetMapping("/sse/admin")
        EventStream admin(RequestContext request) {
            return hub.subscribe(request, "admin.audit");
        }

        @PostMapping("/publish/{topic}")
        String publish(RequestContext request, @PathVariable String topic, @RequestParam String text) {
            return hub.publish(request, topic, text).id();
        }

        @PostMapping("/publish/fragment/activity")
        String fragment(@RequestParam String text) {
            return hub.publish("activity", ThymeleafFragments.fragment("cards :: item", Map.of("name", text))).id();
        }

        @GetMapping("/invalidate")
        String invalidate(HttpServletRequest request) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            return "invalidated";
        }
    }
}
