package dev.runnel.mercure.internal;

/**
 * The pieces of automaton a variable's value is built from. A value is a run of characters, each
 * either allowed as is ({@code chars}) or percent-encoded. Every method adds its states after
 * {@code from} and returns the state where the piece ends.
 */
final class ValueAutomata {

    private ValueAutomata() {}

    /** Any number of characters, none included. */
    static int any(Nfa.Builder b, int from, CharClass chars) {
        int loop = b.state();
        b.epsilon(from, loop);
        b.charClass(loop, chars, loop);
        int percent = b.state();
        int hex = b.state();
        b.codePoint(loop, '%', percent);
        b.charClass(percent, CharClass.HEX, hex);
        b.charClass(hex, CharClass.HEX, loop);
        return loop;
    }

    /** Exactly one character or triplet. */
    static int one(Nfa.Builder b, int from, CharClass chars) {
        int end = b.state();
        b.charClass(from, chars, end);
        int percent = b.state();
        int hex = b.state();
        b.codePoint(from, '%', percent);
        b.charClass(percent, CharClass.HEX, hex);
        b.charClass(hex, CharClass.HEX, end);
        return end;
    }

    /** Values joined by commas: a string, a list, or a map's keys and values. */
    static int commaList(Nfa.Builder b, int from, CharClass chars) {
        int item = b.state();
        b.epsilon(from, item);
        int end = any(b, item, chars);
        b.codePoint(end, ',', item);
        return end;
    }

    /** Items, or {@code key=value} pairs when {@code pairs}, joined by {@code separator}. */
    static int repeated(Nfa.Builder b, int from, CharClass chars, char separator, boolean pairs) {
        int item = b.state();
        b.epsilon(from, item);
        int end = any(b, item, chars);
        if (pairs) {
            int equals = b.state();
            b.codePoint(end, '=', equals);
            end = any(b, equals, chars);
        }
        b.codePoint(end, separator, item);
        return end;
    }

    /**
     * At most {@code max} characters (and at least one when {@code atLeastOne}), where a
     * percent-encoded UTF-8 sequence (or any lone triplet) is one character, as the prefix
     * modifier counts characters before encoding.
     */
    static int atMost(Nfa.Builder b, int from, CharClass chars, int max, boolean atLeastOne) {
        int loop = b.state();
        if (atLeastOne) {
            int first = b.state();
            character(b, from, chars, first);
            b.set(first, loop, 1);
        } else {
            b.set(from, loop, 0);
        }
        int next = b.state();
        b.count(loop, next, max);
        character(b, next, chars, loop);
        return loop;
    }

    /** One character from {@code from} to {@code to}: as is, or percent-encoded. */
    private static void character(Nfa.Builder b, int from, CharClass chars, int to) {
        b.charClass(from, chars, to);
        int percent = b.state();
        b.codePoint(from, '%', percent);
        // a lone triplet
        b.charClass(b.chain(percent, CharClass.HEX), CharClass.HEX, to);
        // a two-byte lead: %C0-%DF, then one continuation
        int lead2 = b.chain(percent, CharClass.LEAD_OF_TWO);
        continuations(b, b.chain(lead2, CharClass.HEX), 1, to);
        // a three-byte lead: %E0-%EF, then two
        int lead3 = b.state();
        b.codePoint(percent, 'E', lead3);
        b.codePoint(percent, 'e', lead3);
        continuations(b, b.chain(lead3, CharClass.HEX), 2, to);
        // a four-byte lead: %F0-%F7, then three
        int lead4 = b.state();
        b.codePoint(percent, 'F', lead4);
        b.codePoint(percent, 'f', lead4);
        continuations(b, b.chain(lead4, CharClass.OCTAL), 3, to);
    }

    /** {@code n} triplets %80-%BF from {@code from}, ending at {@code end}. */
    private static void continuations(Nfa.Builder b, int from, int n, int end) {
        int at = from;
        for (int i = 0; i < n; i++) {
            int percent = b.state();
            b.codePoint(at, '%', percent);
            int high = b.chain(percent, CharClass.CONTINUATION);
            if (i == n - 1) {
                b.charClass(high, CharClass.HEX, end);
            } else {
                at = b.chain(high, CharClass.HEX);
            }
        }
    }
}
