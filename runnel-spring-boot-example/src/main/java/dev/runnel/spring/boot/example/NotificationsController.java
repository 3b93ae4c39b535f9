package dev.runnel.spring.boot.example;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.RequestContext;
import dev.runnel.hub.Hub;
import dev.runnel.spring.boot.security.SecurityTopicAccess;
import dev.runnel.thymeleaf.ThymeleafFragments;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

import java.security.Principal;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;

/**
 * The pages and their streams: a public activity feed, and each user's own notifications. A note
 * sent to a user is published once, as a Thymeleaf fragment, to that user's topic and, as a line,
 * to the public feed; htmx swaps each into the page by its event name.
 */
@Controller
class NotificationsController {

    static final Set<String> USERS = Set.of("ada", "bob");

    private final Hub hub;

    NotificationsController(Hub hub) {
        this.hub = hub;
    }

    @GetMapping("/")
    String home() {
        return "index";
    }

    @GetMapping("/notifications")
    String notifications(Principal user, Model model) {
        model.addAttribute("user", user.getName());
        model.addAttribute("others", USERS.stream().filter(u -> !u.equals(user.getName())).sorted().toList());
        return "notifications";
    }

    /** The public feed: anyone may listen. */
    @GetMapping("/sse/activity")
    @ResponseBody
    EventStream activity(RequestContext request) {
        return hub.subscribe(request, "activity");
    }

    /** The signed-in user's notifications; the topic access allows only their own topic. */
    @GetMapping("/sse/notifications")
    @ResponseBody
    EventStream myNotifications(RequestContext request) {
        return hub.subscribe(request, SecurityTopicAccess.userTopic("notifications", request.principal().getName()));
    }

    /** Sends a note to another user: to their notifications, and a line to the public feed. */
    @PostMapping("/notifications")
    String send(Principal sender, @RequestParam String to, @RequestParam String text) {
        if (!USERS.contains(to)) {
            throw new BadRequestException("no user \"" + to + "\"; the users are " + USERS.stream().sorted().toList());
        }
        String note = text.strip();
        if (note.isEmpty() || note.length() > 280) {
            throw new BadRequestException("a note is 1 to 280 characters, got " + note.length());
        }
        String at = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        hub.publish(SecurityTopicAccess.userTopic("notifications", to), ThymeleafFragments.fragment("fragments :: notification",
                Map.of("from", sender.getName(), "text", note, "at", at), "notification"));
        hub.publish("activity", ThymeleafFragments.fragment("fragments :: activity",
                Map.of("from", sender.getName(), "to", to, "at", at), "activity"));
        return "redirect:/notifications?sent";
    }
}
