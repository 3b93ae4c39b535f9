package dev.runnel.mercure;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random templates and values, expanded by this test's own reading of RFC 6570 appendix A: every
 * expansion must match its template, and no expansion with a space or a brace put anywhere
 * (characters no expansion ever holds) may.
 */
class UriTemplateExpansionPropertyTest {

    private static final String[] OPERATORS = {"", "+", "#", ".", "/", ";", "?", "&"};
    private static final String[] NAMES = {"a", "b", "c", "x.y", "v_1", "%41z"};
    private static final String[] LITERALS = {"", "https://example.com/", "/books", "?fixed=1", "a", "é"};
    private static final String CHARS = "aZ09-._~:/?#[]@!$&'()*+,;= %\"é日😀\u0000";
    private static final String UNRESERVED = "-._~";
    private static final String RESERVED = ":/?#[]@!$&'()*+,;=";

    private record Spec(String name, int prefix, boolean explode) {}

    @Test
    void everyExpansionMatchesAndNoCorruptedOneDoes() {
        Random random = new Random(6570);
        int checked = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder template = new StringBuilder();
            List<Object> parts = new ArrayList<>();
            int pieces = 1 + random.nextInt(4);
            for (int p = 0; p < pieces; p++) {
                if (random.nextBoolean()) {
                    String literal = LITERALS[random.nextInt(LITERALS.length)];
                    template.append(literal);
                    parts.add(literal);
                } else {
                    String op = OPERATORS[random.nextInt(OPERATORS.length)];
                    List<Spec> specs = new ArrayList<>();
                    int count = 1 + random.nextInt(3);
                    StringBuilder expression = new StringBuilder("{").append(op);
                    for (int s = 0; s < count; s++) {
                        String name = NAMES[random.nextInt(NAMES.length)];
                        int kind = random.nextInt(3);
                        Spec spec = new Spec(name, kind == 2 ? 1 + random.nextInt(5) : 0, kind == 1);
                        specs.add(spec);
                        expression.append(s == 0 ? "" : ",").append(name)
                                .append(spec.explode ? "*" : spec.prefix > 0 ? ":" + spec.prefix : "");
                    }
                    template.append(expression).append('}');
                    parts.add(new Object[] {op, specs});
                }
            }
            UriTemplate t = UriTemplate.parse(template.toString());
            for (int trial = 0; trial < 5; trial++) {
                String expansion = expand(parts, values(random, parts));
                assertThat(t.matches(expansion)).as("%s should match %s", template, expansion).isTrue();
                int at = random.nextInt(expansion.length() + 1);
                String corrupted = expansion.substring(0, at) + (random.nextBoolean() ? " " : "{")
                        + expansion.substring(at);
                assertThat(t.matches(corrupted)).as("%s should not match %s", template, corrupted).isFalse();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(15000);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> values(Random random, List<Object> parts) {
        Set<String> prefixed = new HashSet<>();
        for (Object part : parts) {
            if (part instanceof Object[] e) {
                for (Spec s : (List<Spec>) e[1]) {
                    if (s.prefix > 0) {
                        prefixed.add(s.name);
                    }
                }
            }
        }
        Map<String, Object> values = new HashMap<>();
        for (String name : NAMES) {
            int kind = random.nextInt(prefixed.contains(name) ? 2 : 5);
            values.put(name, switch (kind) {
                case 0 -> null;
                case 1 -> string(random);
                case 2 -> {
                    List<String> list = new ArrayList<>();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        list.add(string(random));
                    }
                    yield list;
                }
                default -> {
                    Map<String, String> map = new LinkedHashMap<>();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        map.put(string(random), string(random));
                    }
                    yield map;
                }
            });
        }
        return values;
    }

    private static String string(Random random) {
        StringBuilder s = new StringBuilder();
        int[] chars = CHARS.codePoints().toArray();
        for (int i = random.nextInt(6); i > 0; i--) {
            s.appendCodePoint(chars[random.nextInt(chars.length)]);
        }
        if (random.nextInt(4) == 0) {
            s.append("%4A"); // a triplet, which reserved expansion passes through
        }
        return s.toString();
    }

    @SuppressWarnings("unchecked")
    private static String expand(List<Object> parts, Map<String, Object> values) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String literal) {
                out.append(literal);
            } else {
                Object[] e = (Object[]) part;
                out.append(expression((String) e[0], (List<Spec>) e[1], values));
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static String expression(String op, List<Spec> specs, Map<String, Object> values) {
        String first = switch (op) {
            case "", "+" -> "";
            default -> op;
        };
        String sep = switch (op) {
            case "", "+", "#" -> ",";
            case "?", "&" -> "&";
            default -> op;
        };
        boolean named = op.equals(";") || op.equals("?") || op.equals("&");
        String ifemp = op.equals(";") ? "" : "=";
        boolean reserved = op.equals("+") || op.equals("#");
        StringBuilder out = new StringBuilder();
        boolean any = false;
        for (Spec spec : specs) {
            Object value = values.get(spec.name);
            if (value == null || value instanceof List<?> l && l.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty()) {
                continue;
            }
            out.append(any ? sep : first);
            any = true;
            if (value instanceof String s) {
                if (spec.prefix > 0) {
                    s = s.codePoints().limit(spec.prefix)
                            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
                }
                if (named) {
                    out.append(spec.name).append(s.isEmpty() ? ifemp : "=" + encode(s, reserved));
                } else {
                    out.append(encode(s, reserved));
                }
            } else if (!spec.explode) {
                if (named) {
                    out.append(spec.name).append('=');
                }
                List<String> items = new ArrayList<>();
                if (value instanceof List<?> list) {
                    list.forEach(i -> items.add(encode((String) i, reserved)));
                } else {
                    ((Map<String, String>) value).forEach((k, v) -> {
                        items.add(encode(k, reserved));
                        items.add(encode(v, reserved));
                    });
                }
                out.append(String.join(",", items));
            } else {
                List<String> items = new ArrayList<>();
                if (value instanceof List<?> list) {
                    for (Object i : list) {
                        String item = (String) i;
                        items.add(named ? spec.name + (item.isEmpty() ? ifemp : "=" + encode(item, reserved))
                                : encode(item, reserved));
                    }
                } else {
                    ((Map<String, String>) value).forEach((k, v) -> items.add(named
                            ? encode(k, reserved) + (v.isEmpty() ? ifemp : "=" + encode(v, reserved))
                            : encode(k, reserved) + "=" + encode(v, reserved)));
                }
                out.append(String.join(sep, items));
            }
        }
        return out.toString();
    }

    private static String encode(String s, boolean reserved) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            boolean unreserved = c < 128 && (Character.isLetterOrDigit(c) || UNRESERVED.indexOf(c) >= 0);
            if (unreserved || reserved && c < 128 && RESERVED.indexOf(c) >= 0) {
                out.appendCodePoint(c);
            } else if (reserved && c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out.append(s, i, i + 3);
                i += 3;
                continue;
            } else {
                for (byte b : new String(Character.toChars(c)).getBytes(UTF_8)) {
                    out.append('%').append(String.format("%02X", b & 0xFF));
                }
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
