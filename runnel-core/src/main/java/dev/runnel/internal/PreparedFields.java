package dev.runnel.internal;

import dev.runnel.SseEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Prepared} value as the flat string fields a shared log stores (a Redis stream entry), so
 * the node that published it renders it once and the other nodes only decode it. Optional parts that
 * are absent are left out.
 *
 * <table>
 * <caption>fields</caption>
 * <tr><th>field</th><th>meaning</th></tr>
 * <tr><td>{@code t}</td><td>kind: {@code e} a plain event, {@code h} a rendered fragment, {@code s} signals</td></tr>
 * <tr><td>{@code e}, {@code r}, {@code d}</td><td>plain event: name, retry (ms), data</td></tr>
 * <tr><td>{@code h}, {@code tg}, {@code sw}</td><td>fragment: html, target element id, swap</td></tr>
 * <tr><td>{@code j}, {@code o}</td><td>signals: JSON, {@code 1} when only if missing</td></tr>
 * <tr><td>{@code de}</td><td>fragment or signals: the stream's default event name</td></tr>
 * </table>
 */
public final class PreparedFields {

    private PreparedFields() {
    }

    /** The fields of {@code prepared}. */
    public static Map<String, String> of(Prepared prepared) {
        Map<String, String> f = new LinkedHashMap<>();
        switch (prepared) {
            case Prepared.Plain p -> {
                f.put("t", "e");
                put(f, "e", p.event().event());
                put(f, "r", p.event().retry() == null ? null : Long.toString(p.event().retry()));
                f.put("d", p.event().data());
            }
            case Prepared.Html h -> {
                f.put("t", "h");
                f.put("h", h.html());
                put(f, "tg", h.target());
                put(f, "sw", h.swap());
                put(f, "de", h.defaultEvent());
            }
            case Prepared.SignalsJson s -> {
                f.put("t", "s");
                f.put("j", s.json());
                if (s.onlyIfMissing()) {
                    f.put("o", "1");
                }
                put(f, "de", s.defaultEvent());
            }
        }
        return f;
    }

    /**
     * The value the fields describe.
     *
     * @throws IllegalArgumentException for fields this version does not know (a newer node's kind, a
     *     missing required field), naming what is wrong
     */
    public static Prepared parse(Map<String, String> f) {
        String kind = f.get("t");
        return switch (kind == null ? "" : kind) {
            case "e" -> new Prepared.Plain(new SseEvent(f.get("e"), null, retry(f.get("r")), required(f, "d")));
            case "h" -> new Prepared.Html(required(f, "h"), f.get("tg"), f.get("sw"), f.get("de"));
            case "s" -> new Prepared.SignalsJson(required(f, "j"), "1".equals(f.get("o")), f.get("de"));
            default -> throw new IllegalArgumentException("unknown event kind t=" + kind + " (fields " + f.keySet() + ")");
        };
    }

    private static void put(Map<String, String> f, String name, String value) {
        if (value != null) {
            f.put(name, value);
        }
    }

    private static String required(Map<String, String> f, String name) {
        String value = f.get(name);
        if (value == null) {
            throw new IllegalArgumentException("field " + name + " is missing (fields " + f.keySet() + ")");
        }
        return value;
    }

    private static Long retry(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("field r is not a number: " + value);
        }
    }
}
