package dev.runnel.thymeleaf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fragments a template declares ({@code th:fragment} and {@code data-th-fragment}), in document
 * order, each with the parameters of its signature: {@code note(title, body)} declares {@code note}
 * with {@code [title, body]}. Read from the template's source, so a fragment inside a {@code th:if}
 * counts too.
 */
record FragmentInventory(Map<String, List<String>> fragments) {

    private static final Pattern DECLARATION = Pattern.compile(
            "(?<![\\w:-])(?:th:|data-th-)fragment\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");

    FragmentInventory {
        fragments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fragments));
    }

    static FragmentInventory of(String source) {
        Map<String, List<String>> found = new LinkedHashMap<>();
        Matcher m = DECLARATION.matcher(source);
        while (m.find()) {
            String signature = (m.group(1) != null ? m.group(1) : m.group(2)).strip();
            int open = signature.indexOf('(');
            String name = (open < 0 ? signature : signature.substring(0, open)).strip();
            List<String> params = new ArrayList<>();
            if (open >= 0) {
                int close = signature.lastIndexOf(')');
                String inside = signature.substring(open + 1, close > open ? close : signature.length());
                for (String p : inside.split(",")) {
                    if (!p.isBlank()) {
                        params.add(p.strip());
                    }
                }
            }
            if (!name.isEmpty()) {
                found.putIfAbsent(name, List.copyOf(params));
            }
        }
        return new FragmentInventory(found);
    }

    boolean contains(String name) {
        return fragments.containsKey(name);
    }

    /** The parameters {@code name} declares, empty when none or when there is no such fragment. */
    List<String> parameters(String name) {
        return fragments.getOrDefault(name, List.of());
    }

    /** The fragments as they are declared, for messages: {@code [item, note(title, body)]}. */
    List<String> signatures() {
        List<String> out = new ArrayList<>();
        fragments.forEach((name, params) -> out.add(params.isEmpty() ? name : name + "(" + String.join(", ", params) + ")"));
        return out;
    }
}
