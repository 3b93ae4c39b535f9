package dev.runnel.docs.springguide;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.util.HtmlUtils;

import java.io.IOException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

// docs:begin sseemitter
@RestController
class EmitterClockController {

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();  // yours to shut down

    @GetMapping("/emitter/clock")
    SseEmitter clock(@RequestParam(defaultValue = "10") int count) {
        if (count < 1 || count > 10_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "count must be from 1 to 10000, got " + count);
        }
        SseEmitter emitter = new SseEmitter(0L);  // no timeout, so nothing ends a stream whose client left...
        executor.execute(() -> {
            try {
                for (int i = 1; i <= count; i++) {
                    String now = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
                    String html = "<time id=\"clock\" data-tick=\"" + i + "\">" + HtmlUtils.htmlEscape(now) + "</time>";
                    emitter.send(SseEmitter.event().name("clock").data(html));  // ...but a failing write, up to 1 s later
                    Thread.sleep(1000);
                }
                emitter.complete();
            } catch (IOException e) {
                // the client left; no heartbeat, no close event, no shutdown hook: all yours to add
            } catch (Exception e) {
                emitter.completeWithError(e);
            }
        });
        return emitter;
    }
}
// docs:end sseemitter
