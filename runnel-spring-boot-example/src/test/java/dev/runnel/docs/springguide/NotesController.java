package dev.runnel.docs.springguide;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.security.SecurityTopicAccess;
import dev.runnel.thymeleaf.ThymeleafFragments;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.Map;

// docs:begin thymeleaf
@RestController
class NotesController {

    private final Hub hub;

    NotesController(Hub hub) {
        this.hub = hub;
    }

    @GetMapping("/sse/notifications/{user}")
    EventStream notifications(RequestContext request, @PathVariable String user) {
        // one topic per user, whatever their name's characters; the TopicAccess bean decides: 403 if not yours
        return hub.subscribe(request, SecurityTopicAccess.userTopic("notifications", user));
    }

    @GetMapping("/sse/activity")
    EventStream activity(RequestContext request) {
        return hub.subscribe(request, "activity");
    }

    @PostMapping("/notes")
    String send(Principal sender, @RequestParam String to, @RequestParam String text) {
        // rendered once with templates/notes.html, fragment "note"; the same bytes go to every subscriber
        hub.publish(SecurityTopicAccess.userTopic("notifications", to), ThymeleafFragments.fragment("notes :: note",
                Map.of("from", sender.getName(), "text", text), "note"));
        return "sent";
    }
}
// docs:end thymeleaf
