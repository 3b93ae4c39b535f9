package dev.runnel.spring.boot.example;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.Fragment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** The example's streams: each method returns an {@link EventStream}, and Runnel does the rest. */
@RestController
class ClockController {

    /** {@code count} clock fragments, {@code interval_ms} apart, each swapped into {@code #clock}; then the close event. */
    @GetMapping("/sse/clock")
    EventStream clock(@RequestParam(defaultValue = "10") int count,
                      @RequestParam(name = "interval_ms", defaultValue = "1000") long intervalMs) {
        if (count < 1 || count > 10_000) {
            throw new BadRequestException("count must be from 1 to 10000, got " + count);
        }
        if (intervalMs < 0 || intervalMs > 60_000) {
            throw new BadRequestException("interval_ms must be from 0 to 60000, got " + intervalMs);
        }
        return EventStream.producer(out -> {
            for (int i = 1; i <= count; i++) {
                LocalTime now = LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
                out.emit(Fragment.of("clock", "time", Map.of("time", now.toString(), "tick", i), "clock"));
                Thread.sleep(intervalMs); // plain blocking code: this runs on a virtual thread
            }
        });
    }

    /** One tick of {@link #ticker}, sent as JSON. */
    record Tick(String ticker, long tick) {
    }

    /**
     * A ticker that never ends by itself: a {@link Tick} every {@code interval_ms}, until the client
     * leaves or the application stops. The route's {@code {name}} reaches the producer as a path parameter.
     */
    @GetMapping("/sse/ticker/{name}")
    EventStream ticker(@PathVariable String name, @RequestParam(name = "interval_ms", defaultValue = "1000") long intervalMs) {
        if (intervalMs < 10 || intervalMs > 600_000) {
            throw new BadRequestException("interval_ms must be from 10 to 600000, got " + intervalMs);
        }
        return EventStream.producer(out -> {
            String owner = out.context().pathParam("name");
            for (long i = 1; ; i++) {
                out.emit(new Tick(owner, i));
                Thread.sleep(intervalMs);
            }
        }).defaultEvent("tick");
    }
}
