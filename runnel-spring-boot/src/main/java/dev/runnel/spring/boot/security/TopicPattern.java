package dev.runnel.spring.boot.security;

import dev.runnel.hub.Hub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pattern of topic names: literal text, {@code {name}} for one segment captured as a variable,
 * {@code *} for one segment, {@code **} for the rest of the name. Segments are separated by
 * {@code .} or {@code :}. {@code "notifications.{user}"} matches {@code notifications.ada} with
 * {@code user = ada}.
 */
record TopicPattern(String pattern, Pattern regex, List<String> variables) {

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final String SEGMENT = "[^.:]+";

    static TopicPattern compile(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("a topic pattern must not be blank");
        }
        StringBuilder regex = new StringBuilder();
        List<String> variables = new ArrayList<>();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '{') {
                int close = pattern.indexOf('}', i);
                String name = close < 0 ? "" : pattern.substring(i + 1, close);
                if (!VARIABLE.matcher(name).matches() || variables.contains(name)) {
                    throw new IllegalArgumentException("topic pattern \"" + pattern + "\": {" + name
                            + "} must be a letter then letters or digits, used once, and closed with }");
                }
                variables.add(name);
                regex.append("(?<").append(name).append('>').append(SEGMENT).append(')');
                i = close + 1;
            } else if (pattern.startsWith("**", i)) {
                regex.append(".+");
                i += 2;
            } else if (c == '*') {
                regex.append(SEGMENT);
                i++;
            } else if (String.valueOf(c).matches("[A-Za-z0-9._:-]")) {
                regex.append(Pattern.quote(String.valueOf(c)));
                i++;
            } else {
                throw new IllegalArgumentException("topic pattern \"" + pattern + "\": '" + c + "' cannot be in a topic name ("
                        + Hub.TOPIC_PATTERN + "); use {name}, * or **");
            }
        }
        return new TopicPattern(pattern, Pattern.compile(regex.toString()), List.copyOf(variables));
    }

    /** The variables when {@code topic} matches the whole pattern. */
    Optional<Map<String, String>> match(String topic) {
        Matcher m = regex.matcher(topic);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String v : variables) {
            values.put(v, m.group(v));
        }
        return Optional.of(values);
    }
}
