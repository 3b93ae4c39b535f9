package dev.runnel.internal;

import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;

/** What a subscriber's queue holds, for tests: each event as {@code ID DATA} (its first data line, htmx 2 framing). */
final class Queued {

    private Queued() {
    }

    /** Takes everything queued now, without waiting. */
    static List<String> drain(ValueChannel channel) throws InterruptedException {
        List<Object> out = new ArrayList<>();
        channel.poll(out, Integer.MAX_VALUE, 0);
        return out.stream().map(v -> {
            String wire = new String(((Encoded) v).bytes(dev.runnel.Dialect.HTMX2), UTF_8);
            int at = wire.indexOf("data: ");
            return ((Encoded) v).id() + " " + wire.substring(at + 6, wire.indexOf('\n', at));
        }).toList();
    }
}
