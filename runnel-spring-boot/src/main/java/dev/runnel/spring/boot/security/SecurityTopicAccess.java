package dev.runnel.spring.boot.security;

import dev.runnel.RequestContext;
import dev.runnel.hub.TopicAccess;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;

import java.lang.System.Logger.Level;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TopicAccess} decided by Spring Security: one {@link AuthorizationManager} per topic
 * pattern, for subscribing and for publishing, as {@code authorizeHttpRequests} does per URL.
 *
 * <pre>{@code
 * @Bean
 * TopicAccess topicAccess() {
 *     return SecurityTopicAccess.builder()
 *             .subscribe("activity", SingleResultAuthorizationManager.permitAll())
 *             .subscribe("notifications.{user}", SecurityTopicAccess.principalIs("user"))
 *             .publish("announcements", AuthorityAuthorizationManager.hasRole("ADMIN"))
 *             .build();
 * }
 * }</pre>
 *
 * <p>The rules are tried in the order they were added; the first whose pattern matches the topic
 * decides. A topic no rule matches is refused: access is opt-in. The {@code Authentication} is the
 * stream's principal, captured when the request came in (Spring Security puts it there); a request
 * without one is anonymous ({@code ROLE_ANONYMOUS}), so {@code authenticated()} refuses it. A rule
 * that throws {@code AccessDeniedException} refuses, logged at debug only; a rule that throws
 * anything else (but a {@code VirtualMachineError}, which is rethrown) refuses too, and its first
 * failure is logged as a warning with the stack, later ones at debug. Thread-safe and immutable.
 */
public final class SecurityTopicAccess implements TopicAccess {

    private static final System.Logger LOG = System.getLogger("dev.runnel.spring.security");

    private final List<Rule> subscribe;
    private final List<Rule> publish;

    private SecurityTopicAccess(Builder b) {
        this.subscribe = List.copyOf(b.subscribe);
        this.publish = List.copyOf(b.publish);
    }

    /** Rules to add, then {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Allows the topic when the pattern's {@code {variable}} is the authenticated user's name as
     * {@link #userTopic} writes it: with {@code "notifications.{user}"}, only {@code ada} gets
     * {@code notifications.ada}, and only {@code ada.lovelace} gets {@code notifications.ada_2elovelace}.
     */
    public static AuthorizationManager<TopicRequest> principalIs(String variable) {
        Objects.requireNonNull(variable, "variable");
        return (authentication, request) -> {
            Authentication who = authentication.get();
            boolean owner = who != null && !(who instanceof AnonymousAuthenticationToken) && who.isAuthenticated()
                    && who.getName() != null && !who.getName().isEmpty()
                    && userSegment(who.getName()).equals(request.variables().get(variable));
            return new AuthorizationDecision(owner);
        };
    }

    /**
     * The topic of one user under {@code prefix}: {@code prefix + "." + } the user name as one topic
     * segment, the same for publishing and for {@link #principalIs}. ASCII letters, digits and
     * {@code -} are kept; every other byte of the name's UTF-8 is written {@code _} and two lowercase
     * hex digits, so any name makes a valid topic and two names never make the same one:
     * {@code ada.lovelace} is {@code ada_2elovelace}, {@code zoë} is {@code zo_c3_ab}.
     *
     * @throws IllegalArgumentException when the name is empty
     */
    public static String userTopic(String prefix, String userName) {
        Objects.requireNonNull(prefix, "prefix");
        return prefix + "." + userSegment(userName);
    }

    private static String userSegment(String userName) {
        Objects.requireNonNull(userName, "userName");
        if (userName.isEmpty()) {
            throw new IllegalArgumentException("a user name for a topic must not be empty");
        }
        StringBuilder segment = new StringBuilder(userName.length());
        for (byte b : userName.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                segment.append(c);
            } else {
                segment.append('_').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return segment.toString();
    }

    /**
     * What a rule decides on.
     *
     * @param topic the topic asked for
     * @param variables the pattern's {@code {name}} variables, as matched in the topic
     * @param request the request that subscribes or publishes
     */
    public record TopicRequest(String topic, Map<String, String> variables, RequestContext request) {
        public TopicRequest {
            variables = Map.copyOf(variables);
        }
    }

    @Override
    public boolean maySubscribe(RequestContext request, String topic) {
        return decide(subscribe, "subscribe to", request, topic);
    }

    @Override
    public boolean mayPublish(RequestContext request, String topic) {
        return decide(publish, "publish to", request, topic);
    }

    private static boolean decide(List<Rule> rules, String action, RequestContext request, String topic) {
        for (Rule rule : rules) {
            Optional<Map<String, String>> variables = rule.pattern().match(topic);
            if (variables.isPresent()) {
                try {
                    AuthorizationResult result = rule.manager().authorize(() -> authentication(request),
                            new TopicRequest(topic, variables.get(), request));
                    return result != null && result.isGranted();
                } catch (AccessDeniedException denied) {
                    // the rule's way of saying no
                    LOG.log(Level.DEBUG, () -> "the rule for topics \"" + rule.pattern().pattern() + "\" denied " + action
                            + " " + topic + ": " + denied.getMessage());
                    return false;
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (RuntimeException | Error e) {
                    rule.failed(action, topic, e);
                    return false;
                }
            }
        }
        return false;
    }

    /** The request's principal as an {@code Authentication}; anonymous when there is none. */
    static Authentication authentication(RequestContext request) {
        Principal principal = request.principal();
        if (principal instanceof Authentication authentication) {
            return authentication;
        }
        if (principal != null) { // authenticated by the container, not by Spring Security: a name, no authorities
            return UsernamePasswordAuthenticationToken.authenticated(principal.getName(), null, List.of());
        }
        return new AnonymousAuthenticationToken("runnel", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
    }

    /** A pattern and its manager; a rule that fails is logged with its stack once, then at debug. */
    private record Rule(TopicPattern pattern, AuthorizationManager<TopicRequest> manager, AtomicBoolean loggedFailure) {
        Rule(TopicPattern pattern, AuthorizationManager<TopicRequest> manager) {
            this(pattern, manager, new AtomicBoolean());
        }

        void failed(String action, String topic, Throwable e) {
            String message = "the rule for topics \"" + pattern.pattern() + "\" failed on " + action + " " + topic + "; refused";
            if (loggedFailure.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, message + " (later failures of this rule are logged at debug)", e);
            } else {
                LOG.log(Level.DEBUG, () -> message + ": " + e);
            }
        }
    }

    /** Collects the rules. Not thread-safe; the access it builds is. */
    public static final class Builder {
        private final List<Rule> subscribe = new ArrayList<>();
        private final List<Rule> publish = new ArrayList<>();

        private Builder() {
        }

        /**
         * Who may subscribe to topics matching {@code pattern}: literal text, {@code {name}} (one
         * segment, given to the rule as a variable), {@code *} (one segment), {@code **} (the rest);
         * segments are separated by {@code .} or {@code :}.
         *
         * @throws IllegalArgumentException for a malformed pattern
         */
        public Builder subscribe(String pattern, AuthorizationManager<TopicRequest> rule) {
            subscribe.add(new Rule(TopicPattern.compile(pattern), Objects.requireNonNull(rule, "rule")));
            return this;
        }

        /** Who may publish on topics matching {@code pattern} through a request; see {@link #subscribe}. */
        public Builder publish(String pattern, AuthorizationManager<TopicRequest> rule) {
            publish.add(new Rule(TopicPattern.compile(pattern), Objects.requireNonNull(rule, "rule")));
            return this;
        }

        public SecurityTopicAccess build() {
            return new SecurityTopicAccess(this);
        }
    }
}
