package dev.runnel.docs.spring;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.Fragment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;

// docs:begin controller
@RestController
class ClockController {

    @GetMapping("/sse/clock")
    EventStream clock(@RequestParam(defaultValue = "10") int count) {
        if (count < 1 || count > 10_000) {
            throw new BadRequestException("count must be from 1 to 10000, got " + count);  // 400, one line
        }
        return EventStream.producer(out -> {
            for (int i = 1; i <= count; i++) {
                String now = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
                out.emit(Fragment.of("clock", "time", Map.of("time", now, "tick", i), "clock"));
                Thread.sleep(1000);  // plain blocking code on a virtual thread
            }
        });
    }
}
// docs:end controller
