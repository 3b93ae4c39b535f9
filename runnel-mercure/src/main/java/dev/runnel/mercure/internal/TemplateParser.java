package dev.runnel.mercure.internal;

import java.util.ArrayList;
import java.util.List;

/** Reads an RFC 6570 template into literals and expressions, refusing anything its grammar does not allow. */
final class TemplateParser {

    /** A piece of a template. */
    sealed interface Part permits Literal, Expression {}

    /** Text copied as is; percent-encoded triplets stay as written. */
    record Literal(String text) implements Part {}

    /** One {@code {...}} expression. */
    record Expression(Operator operator, List<VarSpec> variables) implements Part {}

    /**
     * One variable of an expression.
     *
     * @param name the name as written (with its dots and percent-encoded triplets)
     * @param prefix the prefix length, 1 to 9999, or 0 for none
     * @param explode whether the variable has the {@code *} modifier
     */
    record VarSpec(String name, int prefix, boolean explode) {}

    private static final int MAX_PREFIX = 9999;

    private final String template;
    private final List<Part> parts = new ArrayList<>();

    private TemplateParser(String template) {
        this.template = template;
    }

    static List<Part> parse(String template) {
        TemplateParser parser = new TemplateParser(template);
        parser.parseAll();
        return List.copyOf(parser.parts);
    }

    private void parseAll() {
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int c = template.codePointAt(i);
            if (c == '{') {
                int close = closingBrace(i);
                if (!literal.isEmpty()) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(expression(i + 1, close));
                i = close + 1;
            } else if (c == '}') {
                throw error("'}' at index " + i + " closes no '{'");
            } else if (c == '%') {
                checkTriplet(i);
                literal.append(template, i, i + 3);
                i += 3;
            } else if (CharClass.isLiteral(c)) {
                literal.appendCodePoint(c);
                i += Character.charCount(c);
            } else {
                throw error(String.format("character U+%04X at index %d is not allowed in a template", c, i));
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
        }
    }

    private int closingBrace(int open) {
        for (int j = open + 1; j < template.length(); j++) {
            char c = template.charAt(j);
            if (c == '}') {
                return j;
            }
            if (c == '{') {
                throw error("'{' at index " + j + " inside the expression opened at index " + open);
            }
        }
        throw error("unclosed '{' at index " + open);
    }

    private Expression expression(int start, int end) {
        if (start == end) {
            throw error("empty expression at index " + (start - 1));
        }
        char first = template.charAt(start);
        Operator operator = Operator.of(first);
        if (operator != null) {
            start++;
        } else if ("=,!@|".indexOf(first) >= 0) {
            throw error("reserved operator '" + first + "' at index " + start + " (operators: + # . / ; ? &)");
        } else {
            operator = Operator.SIMPLE;
        }
        List<VarSpec> variables = new ArrayList<>();
        int i = start;
        while (true) {
            int comma = template.indexOf(',', i);
            int specEnd = comma < 0 || comma > end ? end : comma;
            variables.add(varSpec(i, specEnd));
            if (specEnd == end) {
                return new Expression(operator, List.copyOf(variables));
            }
            i = specEnd + 1;
        }
    }

    private VarSpec varSpec(int start, int end) {
        int i = start;
        boolean afterVarchar = false;
        while (i < end) {
            char c = template.charAt(i);
            if (c == '%') {
                checkTriplet(i);
                i += 3;
                afterVarchar = true;
            } else if (CharClass.isAlpha(c) || CharClass.isDigit(c) || c == '_') {
                i++;
                afterVarchar = true;
            } else if (c == '.' && afterVarchar && i + 1 < end && template.charAt(i + 1) != '.') {
                i++;
                afterVarchar = false;
            } else {
                break;
            }
        }
        if (i == start || !afterVarchar) {
            throw error("bad variable name at index " + start
                    + " (letters, digits, '_', percent-encoded triplets, and single dots between them)");
        }
        String name = template.substring(start, i);
        if (i == end) {
            return new VarSpec(name, 0, false);
        }
        if (template.charAt(i) == '*' && i + 1 == end) {
            return new VarSpec(name, 0, true);
        }
        if (template.charAt(i) == ':') {
            return new VarSpec(name, prefix(i + 1, end), false);
        }
        throw error("unexpected '" + template.charAt(i) + "' at index " + i + " after variable '" + name + "'");
    }

    private int prefix(int start, int end) {
        String digits = template.substring(start, end);
        boolean valid = !digits.isEmpty() && digits.length() <= 4 && digits.charAt(0) != '0'
                && digits.chars().allMatch(CharClass::isDigit);
        if (!valid) {
            throw error("prefix '" + digits + "' at index " + start + " must be a number in 1.." + MAX_PREFIX
                    + " without leading zeros");
        }
        return Integer.parseInt(digits);
    }

    private void checkTriplet(int i) {
        if (i + 2 >= template.length()
                || !CharClass.isHex(template.charAt(i + 1)) || !CharClass.isHex(template.charAt(i + 2))) {
            throw error("'%' at index " + i + " does not start a percent-encoded triplet");
        }
    }

    private IllegalArgumentException error(String reason) {
        String shown = template.length() <= 200 ? template : template.substring(0, 200) + "...";
        return new IllegalArgumentException("Invalid URI template \"" + shown + "\": " + reason);
    }
}
