package dev.runnel.spring.boot.security;

import dev.runnel.RequestContext;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthenticatedAuthorizationManager;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.SingleResultAuthorizationManager;
import org.springframework.security.core.authority.AuthorityUtils;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules per topic pattern, decided by Spring Security's authorization managers. */
class SecurityTopicAccessTest {

    private static RequestContext as(String user, String... roles) {
        return RequestContext.of("/sse").withPrincipal(UsernamePasswordAuthenticationToken.authenticated(user, null,
                AuthorityUtils.createAuthorityList(java.util.Arrays.stream(roles).map(r -> "ROLE_" + r).toArray(String[]::new))));
    }

    private static final RequestContext ANONYMOUS = RequestContext.of("/sse");

    private final SecurityTopicAccess access = SecurityTopicAccess.builder()
            .subscribe("activity", SingleResultAuthorizationManager.permitAll())
            .subscribe("notifications.{user}", SecurityTopicAccess.principalIs("user"))
            .subscribe("team:{team}.*", AuthenticatedAuthorizationManager.authenticated())
            .subscribe("admin.**", AuthorityAuthorizationManager.hasRole("ADMIN"))
            .publish("activity", AuthenticatedAuthorizationManager.authenticated())
            .build();

    @Test
    void aPublicTopicIsOpenToAnonymousSubscribers() {
        assertThat(access.maySubscribe(ANONYMOUS, "activity")).isTrue();
        assertThat(access.mayPublish(ANONYMOUS, "activity")).isFalse();
        assertThat(access.mayPublish(as("ada"), "activity")).isTrue();
    }

    @Test
    void aPerUserTopicIsOnlyItsOwners() {
        assertThat(access.maySubscribe(as("ada"), "notifications.ada")).isTrue();
        assertThat(access.maySubscribe(as("ada"), "notifications.bob")).isFalse();
        assertThat(access.maySubscribe(ANONYMOUS, "notifications.anonymousUser")).isFalse();
        assertThat(access.maySubscribe(as("ada"), "notifications.ada.extra")).as("{user} is one segment").isFalse();
    }

    @Test
    void aUserWhoseNameIsNoTopicSegmentReadsTheirOwnTopicAndNoOneElses() {
        java.util.List<String> users = java.util.List.of("ada.lovelace", "ada@example.com", "zoë", "ada", "a_b", "ada:x");
        for (String user : users) {
            String topic = SecurityTopicAccess.userTopic("notifications", user);
            assertThat(dev.runnel.hub.Hub.isValidTopic(topic)).as("%s is a valid topic", topic).isTrue();
            for (String other : users) {
                assertThat(access.maySubscribe(as(other), topic)).as("%s reads %s", other, topic).isEqualTo(other.equals(user));
            }
        }
    }

    @Test
    void aUserTopicKeepsLettersAndDigitsAndEncodesTheRestReversibly() {
        assertThat(SecurityTopicAccess.userTopic("notifications", "ada")).isEqualTo("notifications.ada");
        assertThat(SecurityTopicAccess.userTopic("notifications", "ada.lovelace")).isEqualTo("notifications.ada_2elovelace");
        assertThat(SecurityTopicAccess.userTopic("notifications", "ada@example.com")).isEqualTo("notifications.ada_40example_2ecom");
        assertThat(SecurityTopicAccess.userTopic("notifications", "zoë")).isEqualTo("notifications.zo_c3_ab");
        assertThat(SecurityTopicAccess.userTopic("n", "a_2e")).as("the escape character is escaped").isEqualTo("n.a_5f2e");
        assertThatThrownBy(() -> SecurityTopicAccess.userTopic("notifications", "")).isInstanceOf(IllegalArgumentException.class);
    }

    private static SecurityTopicAccess throwing(Throwable t) {
        return SecurityTopicAccess.builder()
                .subscribe("t.**", (authentication, request) -> {
                    if (t instanceof RuntimeException e) {
                        throw e;
                    }
                    throw (Error) t;
                })
                .build();
    }

    /** Records what {@code dev.runnel.spring.security} logs (System.Logger goes to java.util.logging here). */
    private static final class LogRecords extends java.util.logging.Handler implements AutoCloseable {
        final java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.runnel.spring.security");
        private final java.util.logging.Level level = logger.getLevel();

        LogRecords() {
            logger.setLevel(java.util.logging.Level.ALL);
            setLevel(java.util.logging.Level.ALL);
            logger.addHandler(this);
        }

        long atLeast(java.util.logging.Level l) {
            return records.stream().filter(r -> r.getLevel().intValue() >= l.intValue()).count();
        }

        @Override
        public void publish(java.util.logging.LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(level);
        }
    }

    @Test
    void aRuleThatThrowsAccessDeniedRefusesQuietly() {
        SecurityTopicAccess denying = throwing(new org.springframework.security.access.AccessDeniedException("not yours"));
        try (LogRecords log = new LogRecords()) {
            for (int i = 0; i < 3; i++) {
                assertThat(denying.maySubscribe(as("ada"), "t.x")).isFalse();
            }
            assertThat(log.atLeast(java.util.logging.Level.INFO)).as("a denial is no failure: nothing above debug").isZero();
            assertThat(log.records).as("but it is there at debug").isNotEmpty();
        }
    }

    @Test
    void aRuleThatFailsRefusesAndIsLoggedOnceNotOnEveryRequest() {
        SecurityTopicAccess failing = throwing(new IllegalStateException("rule bug"));
        try (LogRecords log = new LogRecords()) {
            for (int i = 0; i < 5; i++) {
                assertThat(failing.maySubscribe(as("ada"), "t.x")).isFalse();
            }
            assertThat(log.atLeast(java.util.logging.Level.WARNING)).isEqualTo(1);
        }
    }

    @Test
    void aRuleThatThrowsAnErrorRefusesInsteadOfFailingTheRequest() {
        SecurityTopicAccess failing = throwing(new NoClassDefFoundError("org/example/Missing"));
        try (LogRecords log = new LogRecords()) {
            assertThat(failing.maySubscribe(as("ada"), "t.x")).isFalse();
            assertThat(failing.mayPublish(as("ada"), "t.x")).as("no publish rule: refused").isFalse();
            assertThat(log.atLeast(java.util.logging.Level.WARNING)).isEqualTo(1);
        }
    }

    @Test
    void aVirtualMachineErrorFromARuleIsNotSwallowed() {
        SecurityTopicAccess failing = throwing(new OutOfMemoryError("test"));
        assertThatThrownBy(() -> failing.maySubscribe(as("ada"), "t.x")).isInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void rolesComeFromTheAuthentication() {
        assertThat(access.maySubscribe(as("root", "ADMIN"), "admin.audit.2026")).isTrue();
        assertThat(access.maySubscribe(as("ada", "USER"), "admin.audit")).isFalse();
    }

    @Test
    void aTopicNoRuleMatchesIsRefused() {
        assertThat(access.maySubscribe(as("root", "ADMIN"), "elsewhere")).isFalse();
        assertThat(access.mayPublish(as("root", "ADMIN"), "notifications.ada")).isFalse();
    }

    @Test
    void segmentsSplitOnDotsAndColons() {
        assertThat(access.maySubscribe(as("ada"), "team:red.chat")).isTrue();
        assertThat(access.maySubscribe(ANONYMOUS, "team:red.chat")).isFalse();
        assertThat(access.maySubscribe(as("ada"), "team:red.chat.more")).isFalse();
    }

    @Test
    void aContainerPrincipalCountsAsAuthenticatedWithoutAuthorities() {
        RequestContext container = RequestContext.of("/sse").withPrincipal(() -> "carol");
        assertThat(access.maySubscribe(container, "notifications.carol")).isTrue();
        assertThat(access.maySubscribe(container, "admin.audit")).isFalse();
    }

    @Test
    void theFirstMatchingRuleDecides() {
        SecurityTopicAccess ordered = SecurityTopicAccess.builder()
                .subscribe("news.secret", SingleResultAuthorizationManager.denyAll())
                .subscribe("news.*", SingleResultAuthorizationManager.permitAll())
                .build();
        assertThat(ordered.maySubscribe(as("ada"), "news.secret")).isFalse();
        assertThat(ordered.maySubscribe(as("ada"), "news.sport")).isTrue();
    }

    @Test
    void aRuleThatThrowsRefusesAndTheNextCallStillWorks() {
        SecurityTopicAccess throwing = SecurityTopicAccess.builder()
                .subscribe("boom", (auth, request) -> {
                    throw new IllegalStateException("rule broke");
                })
                .subscribe("fine", (auth, request) -> null) // no decision: refused
                .subscribe("ok", SingleResultAuthorizationManager.permitAll())
                .build();
        assertThat(throwing.maySubscribe(as("ada"), "boom")).isFalse();
        assertThat(throwing.maySubscribe(as("ada"), "fine")).isFalse();
        assertThat(throwing.maySubscribe(as("ada"), "ok")).isTrue();
    }

    @Test
    void theRuleSeesTheTopicItsVariablesAndTheRequest() {
        Map<String, Object> seen = new java.util.concurrent.ConcurrentHashMap<>();
        SecurityTopicAccess recording = SecurityTopicAccess.builder()
                .subscribe("rooms.{room}.{user}", (auth, request) -> {
                    seen.put("topic", request.topic());
                    seen.put("variables", request.variables());
                    seen.put("name", auth.get().getName());
                    seen.put("path", request.request().path());
                    return new org.springframework.security.authorization.AuthorizationDecision(true);
                })
                .build();
        assertThat(recording.maySubscribe(as("ada"), "rooms.r-1.ada")).isTrue();
        assertThat(seen).containsEntry("topic", "rooms.r-1.ada")
                .containsEntry("variables", Map.of("room", "r-1", "user", "ada"))
                .containsEntry("name", "ada")
                .containsEntry("path", "/sse");
    }

    @Test
    void malformedPatternsAreRefusedWhenTheRuleIsAdded() {
        assertThatThrownBy(() -> SecurityTopicAccess.builder().subscribe("a/b", SingleResultAuthorizationManager.permitAll()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/' cannot be in a topic name");
        assertThatThrownBy(() -> SecurityTopicAccess.builder().subscribe("a.{x", SingleResultAuthorizationManager.permitAll()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closed with }");
        assertThatThrownBy(() -> SecurityTopicAccess.builder().subscribe("{x}.{x}", SingleResultAuthorizationManager.permitAll()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("used once");
        assertThatThrownBy(() -> SecurityTopicAccess.builder().subscribe(" ", SingleResultAuthorizationManager.permitAll()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
