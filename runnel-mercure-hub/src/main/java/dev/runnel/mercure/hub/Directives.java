package dev.runnel.mercure.hub;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference hub's Caddyfile directives, as its users put them in {@code MERCURE_EXTRA_DIRECTIVES}:
 * one directive per line, its name then its arguments separated by spaces or tabs, an argument in
 * double quotes may hold spaces ({@code \"} and {@code \\} escape), {@code #} starts a comment outside
 * quotes. Blocks ({@code { ... }}) are not part of what the standalone hub reads, and are refused.
 */
final class Directives {

    private Directives() {
    }

    /** One directive: its name and arguments, and the line it was on (from 1). */
    record Directive(String name, List<String> args, int line) {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException for an unclosed quote or a block, naming the line
     */
    static List<Directive> parse(String text) {
        List<Directive> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int n = 0; n < lines.length; n++) {
            List<String> words = words(lines[n], n + 1);
            if (!words.isEmpty()) {
                for (String w : words) {
                    if (w.equals("{") || w.equals("}")) {
                        throw new IllegalArgumentException("MERCURE_EXTRA_DIRECTIVES line " + (n + 1)
                                + ": blocks ({ }) are not supported by the standalone hub");
                    }
                }
                out.add(new Directive(words.get(0), List.copyOf(words.subList(1, words.size())), n + 1));
            }
        }
        return out;
    }

    private static List<String> words(String line, int number) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                    word.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                if (word == null) {
                    word = new StringBuilder();
                }
                quoted = true;
            } else if (c == '#' && word == null) {
                break;
            } else if (c == ' ' || c == '\t') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("MERCURE_EXTRA_DIRECTIVES line " + number + ": a quote is not closed");
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
