package dev.runnel.example.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the docs tests read from one Markdown page: its fenced code blocks (with the sample each one
 * names), its relative links, and its headings' anchors as GitHub makes them. Code, in fences or in
 * backticks, holds no links.
 *
 * @param fences the fenced code blocks, in page order
 * @param links every link and image target outside code, in page order
 * @param anchors the anchors of the page's headings
 */
record MarkdownPage(List<Fence> fences, List<Link> links, Set<String> anchors) {

    /**
     * One fenced code block.
     *
     * @param line the 1-based line of its opening fence
     * @param info what follows the opening fence ({@code java}, {@code sh}, or empty)
     * @param sample {@code PATH} or {@code PATH#REGION} from a {@code <!-- sample: ... -->} line
     *               right above the fence; {@code null} when there is none
     * @param lines the lines between the fences
     */
    record Fence(int line, String info, String sample, List<String> lines) {
    }

    /** A link or image target, as written, on its 1-based line. */
    record Link(int line, String target) {
    }

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})\\s*(.*)$");
    private static final Pattern SAMPLE = Pattern.compile("^<!--\\s*sample:\\s*(\\S+)\\s*-->\\s*$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(\\s+#+)?\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*])*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HTML_TARGET = Pattern.compile("<(?:a|img)\\s[^>]*?(?:href|src)=\"([^\"]+)\"");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[([^\\]]*)]\\([^)]*\\)");

    static MarkdownPage read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    static MarkdownPage parse(String text) {
        String[] lines = text.split("\r?\n", -1);
        List<Fence> fences = new ArrayList<>();
        List<Link> links = new ArrayList<>();
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher open = FENCE.matcher(lines[i]);
            if (open.matches()) {
                String marker = open.group(1);
                Matcher sample = i > 0 ? SAMPLE.matcher(lines[i - 1].trim()) : null;
                List<String> body = new ArrayList<>();
                int j = i + 1;
                while (j < lines.length && !closes(lines[j], marker)) {
                    body.add(lines[j]);
                    j++;
                }
                fences.add(new Fence(i + 1, open.group(2).trim(), sample != null && sample.matches() ? sample.group(1) : null, body));
                i = j;
                continue;
            }
            Matcher heading = HEADING.matcher(lines[i]);
            if (heading.matches()) {
                String slug = slug(heading.group(2));
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
            String prose = CODE_SPAN.matcher(lines[i]).replaceAll("");
            for (Pattern p : List.of(LINK, HTML_TARGET)) {
                Matcher m = p.matcher(prose);
                while (m.find()) {
                    links.add(new Link(i + 1, m.group(1)));
                }
            }
        }
        return new MarkdownPage(List.copyOf(fences), List.copyOf(links), Set.copyOf(anchors));
    }

    private static boolean closes(String line, String marker) {
        String t = line.strip();
        return t.length() >= marker.length() && t.chars().allMatch(c -> c == marker.charAt(0))
                && line.indexOf(marker.charAt(0)) <= 3;
    }

    /**
     * The anchor GitHub gives a heading: the text as rendered (links by their text, no HTML tags),
     * lower case, every character that is not a letter, a digit, {@code -} or {@code _} dropped, and
     * each space made a {@code -}.
     */
    static String slug(String headingMarkdown) {
        String rendered = INLINE_LINK.matcher(headingMarkdown).replaceAll("$1").replaceAll("<[^>]+>", "");
        StringBuilder slug = new StringBuilder();
        rendered.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }
}
