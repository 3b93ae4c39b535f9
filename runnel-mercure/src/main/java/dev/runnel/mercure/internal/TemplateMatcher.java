package dev.runnel.mercure.internal;

import dev.runnel.mercure.internal.TemplateParser.Expression;
import dev.runnel.mercure.internal.TemplateParser.Literal;
import dev.runnel.mercure.internal.TemplateParser.Part;
import dev.runnel.mercure.internal.TemplateParser.VarSpec;
import java.util.List;

/**
 * Decides whether a string is one of a template's expansions, by compiling the template into an
 * {@link Nfa} that accepts exactly the strings its expressions can expand to (appendix A of
 * RFC 6570, read backwards), with these deliberate widenings:
 *
 * <ul>
 *   <li>each occurrence of a variable is matched on its own: {@code {x}/{x}} matches {@code a/b};
 *   <li>a percent-encoded triplet is any {@code %} and two hex digits of either case;
 *   <li>for a prefix {@code :N}, a percent-encoded UTF-8 sequence or triplet counts as one
 *       character.
 * </ul>
 *
 * <p>As in the expansion, a variable never holds a character beyond ASCII unencoded:
 * {@code {id}} matches {@code caf%C3%A9}, not {@code café}. Literal text (IRI characters
 * included), the operators' characters and variable names are matched exactly.
 */
public final class TemplateMatcher {

    private final String leading;
    private final String trailing;
    /** {@code null} when the template has no expression: then only its own text matches. */
    private final Nfa nfa;
    /**
     * For the most common selectors, a lone {@code {var}} or {@code {+var}} between the literals,
     * the characters it may hold besides commas and triplets: a plain scan then decides. Else
     * {@code null}.
     */
    private final CharClass loneVariable;

    private TemplateMatcher(List<Part> parts) {
        leading = parts.isEmpty() || !(parts.getFirst() instanceof Literal l) ? "" : l.text();
        trailing = parts.isEmpty() || !(parts.getLast() instanceof Literal l) ? "" : l.text();
        if (parts.stream().allMatch(p -> p instanceof Literal)) {
            nfa = null;
            loneVariable = null;
        } else {
            // what lies between the leading and trailing literals, which matches() compares itself
            List<Part> middle = parts.subList(leading.isEmpty() ? 0 : 1,
                    trailing.isEmpty() ? parts.size() : parts.size() - 1);
            nfa = compile(middle);
            loneVariable = loneVariable(middle);
        }
    }

    private static CharClass loneVariable(List<Part> middle) {
        if (middle.size() != 1 || !(middle.getFirst() instanceof Expression e) || e.variables().size() != 1) {
            return null;
        }
        VarSpec v = e.variables().getFirst();
        if (v.prefix() > 0 || v.explode()) {
            return null;
        }
        return switch (e.operator()) {
            case SIMPLE -> CharClass.UNRESERVED;
            case RESERVED -> CharClass.UNRESERVED_OR_RESERVED;
            default -> null;
        };
    }

    /** Whether {@code uri} from {@code from} to {@code to} is characters of {@code chars}, commas and triplets. */
    private static boolean scan(String uri, int from, int to, CharClass chars) {
        for (int i = from; i < to; i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                if (i + 2 >= to || !CharClass.isHex(uri.charAt(i + 1)) || !CharClass.isHex(uri.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c != ',' && !chars.contains(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses and compiles {@code template}.
     *
     * @throws IllegalArgumentException if it is not an RFC 6570 template, saying where and why
     */
    public static TemplateMatcher compile(String template) {
        return new TemplateMatcher(TemplateParser.parse(template));
    }

    /** Whether some values of the variables expand the template to exactly {@code uri}. */
    public boolean matches(String uri) {
        if (nfa == null) {
            return uri.equals(leading);
        }
        // most topics fail here, without running the automaton
        if (!uri.startsWith(leading) || !uri.endsWith(trailing)
                || uri.length() < leading.length() + trailing.length()) {
            return false;
        }
        int from = leading.length();
        int to = uri.length() - trailing.length();
        return loneVariable != null ? scan(uri, from, to, loneVariable) : nfa.matches(uri, from, to);
    }

    private static Nfa compile(List<Part> parts) {
        Nfa.Builder b = new Nfa.Builder();
        int start = b.state();
        int at = start;
        for (Part part : parts) {
            at = switch (part) {
                case Literal l -> text(b, at, l.text());
                case Expression e -> expression(b, at, e);
            };
        }
        return b.build(start, at);
    }

    private static int text(Nfa.Builder b, int from, String text) {
        int at = from;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int next = b.state();
            b.codePoint(at, c, next);
            at = next;
        }
        return at;
    }

    /**
     * Nothing when every variable is undefined; else the operator's first character and the
     * defined variables in order, with the separator between them. Two tracks of states, "none
     * defined yet" and "some defined", tell whether a variable needs a separator before it.
     */
    private static int expression(Nfa.Builder b, int from, Expression e) {
        Operator op = e.operator();
        int end = b.state();
        b.epsilon(from, end);
        int none = b.state();
        if (op.first < 0) {
            b.epsilon(from, none);
        } else {
            b.codePoint(from, op.first, none);
        }
        int some = -1;
        for (VarSpec v : e.variables()) {
            int nextNone = b.state();
            int nextSome = b.state();
            b.epsilon(none, nextNone);
            b.epsilon(variable(b, none, v, op), nextSome);
            if (some >= 0) {
                b.epsilon(some, nextSome);
                int separated = b.state();
                b.codePoint(some, op.separator, separated);
                b.epsilon(variable(b, separated, v, op), nextSome);
            }
            none = nextNone;
            some = nextSome;
        }
        b.epsilon(some, end);
        return end;
    }

    /** The expansion of one defined variable, whatever its value: a string, a list or a map. */
    private static int variable(Nfa.Builder b, int from, VarSpec v, Operator op) {
        CharClass chars = op.allowsReserved ? CharClass.UNRESERVED_OR_RESERVED : CharClass.UNRESERVED;
        if (v.prefix() > 0) {
            // a string, cut to its first N characters
            if (!op.named) {
                return ValueAutomata.atMost(b, from, chars, v.prefix(), false);
            }
            int afterName = text(b, from, v.name());
            int end = b.state();
            emptyNamed(b, afterName, end, op);
            int equals = b.state();
            b.codePoint(afterName, '=', equals);
            b.epsilon(ValueAutomata.atMost(b, equals, chars, v.prefix(), true), end);
            return end;
        }
        if (!v.explode()) {
            // a string, or list items or map keys and values, joined by commas
            if (!op.named) {
                return ValueAutomata.commaList(b, from, chars);
            }
            int afterName = text(b, from, v.name());
            int end = b.state();
            emptyNamed(b, afterName, end, op);
            int equals = b.state();
            b.codePoint(afterName, '=', equals);
            b.epsilon(ValueAutomata.commaList(b, equals, chars), end);
            return end;
        }
        if (!op.named) {
            // list items, or key=value pairs, joined by the separator
            int end = b.state();
            b.epsilon(ValueAutomata.repeated(b, from, chars, op.separator, false), end);
            b.epsilon(ValueAutomata.repeated(b, from, chars, op.separator, true), end);
            return end;
        }
        // name=item for each list item, or key=value for each pair: any key will do
        int item = b.state();
        b.epsilon(from, item);
        int key = ValueAutomata.any(b, item, chars);
        int end = b.state();
        emptyNamed(b, key, end, op);
        int equals = b.state();
        b.codePoint(key, '=', equals);
        b.epsilon(ValueAutomata.any(b, ValueAutomata.one(b, equals, chars), chars), end);
        b.codePoint(end, op.separator, item);
        return end;
    }

    /** What a named empty value expands to: its name alone, or followed by {@code =}. */
    private static void emptyNamed(Nfa.Builder b, int afterName, int end, Operator op) {
        if (op.equalsWhenEmpty) {
            b.codePoint(afterName, '=', end);
        } else {
            b.epsilon(afterName, end);
        }
    }
}
