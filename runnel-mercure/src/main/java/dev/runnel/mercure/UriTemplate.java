package dev.runnel.mercure;

import dev.runnel.mercure.internal.TemplateMatcher;
import java.util.Objects;

/**
 * An RFC 6570 URI template (levels 1 to 4) used as a Mercure topic selector: {@link #matches}
 * says whether some values of its variables expand it to exactly a given topic.
 *
 * <p>Matching is linear in the length of the topic times the size of the template, whatever the
 * input: no backtracking, so a hostile topic or template cannot stall the hub. Instances are
 * immutable and safe to share between threads.
 *
 * <p>Where RFC 6570 only defines expansion, matching widens it in a few documented ways: each
 * occurrence of a variable matches independently ({@code {x}/{x}} matches {@code a/b});
 * percent-encoded triplets may use either case; and for a prefix {@code :N}, a percent-encoded
 * UTF-8 sequence counts as one character. As in the expansion, variables hold only ASCII:
 * {@code books/{id}} matches {@code books/caf%C3%A9}, not {@code books/café}. Literal text is
 * compared exactly (IRI characters included), so a template without expressions matches only
 * itself.
 */
public final class UriTemplate {

    /**
     * The longest template parsed, in characters: the cost of building and of every match grows
     * with the template, and selectors come from untrusted subscribers.
     */
    public static final int MAX_LENGTH = 8 * 1024;

    private final String template;
    private final TemplateMatcher matcher;

    private UriTemplate(String template, TemplateMatcher matcher) {
        this.template = template;
        this.matcher = matcher;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException if {@code template} is not a valid RFC 6570 template (an
     *     unclosed or stray brace, an empty expression, a reserved operator such as {@code =},
     *     a bad variable name, a prefix outside 1..9999, a character templates may not hold, or
     *     a {@code %} not followed by two hex digits), or is longer than {@value #MAX_LENGTH}
     *     characters; the message says where
     */
    public static UriTemplate parse(String template) {
        Objects.requireNonNull(template, "template");
        if (template.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid URI template: " + template.length()
                    + " characters, at most " + MAX_LENGTH);
        }
        return new UriTemplate(template, TemplateMatcher.compile(template));
    }

    /** Whether some values of the variables expand this template to exactly {@code uri}. */
    public boolean matches(String uri) {
        Objects.requireNonNull(uri, "uri");
        return matcher.matches(uri);
    }

    /** The template as parsed. */
    @Override
    public String toString() {
        return template;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UriTemplate other && other.template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }
}
