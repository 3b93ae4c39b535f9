package dev.runnel.docs.springguide;

import dev.runnel.hub.TopicAccess;
import dev.runnel.spring.boot.security.SecurityTopicAccess;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.SingleResultAuthorizationManager;

// docs:begin topic-access
@Configuration
class TopicRules {

    @Bean
    TopicAccess topicAccess() {
        return SecurityTopicAccess.builder()
                .subscribe("activity", SingleResultAuthorizationManager.permitAll())
                .subscribe("notifications.{user}", SecurityTopicAccess.principalIs("user"))
                .subscribe("admin.**", AuthorityAuthorizationManager.hasRole("ADMIN"))
                .build();  // a topic no rule matches is refused
    }
}
// docs:end topic-access
