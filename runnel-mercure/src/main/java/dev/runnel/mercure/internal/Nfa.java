package dev.runnel.mercure.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A nondeterministic automaton over code points, run by keeping every live state at once
 * (Thompson's simulation), so a match costs O(input length x states) whatever the input: no
 * backtracking, hence nothing a hostile topic can blow up.
 *
 * <p>Prefix modifiers ({@code {var:N}}) need "at most N characters". Rather than N copies of
 * states, a state carries a counter: an edge may set it or add one (up to a limit), and of
 * two ways to reach the same state only the lower count is kept, since it can do all that the
 * higher one can. Counting regions are never nested, so one counter per state suffices.
 *
 * <p>Immutable once built; {@link #matches} is safe from any number of threads.
 */
final class Nfa {

    private static final int EPSILON = 0;
    private static final int SET = 1;
    private static final int COUNT = 2;
    private static final int CODE_POINT = 3;
    private static final int CLASS = 4;
    private static final int INACTIVE = Integer.MAX_VALUE;
    private static final CharClass[] CLASSES = CharClass.values();

    private final int start;
    private final int accept;
    /** Edges of state s are edgeFrom[s] .. edgeFrom[s + 1] - 1. */
    private final int[] edgeFrom;
    private final int[] kind;
    /** The code point, the CharClass ordinal, the counter limit, or the value the counter is set to. */
    private final int[] argument;
    private final int[] target;

    private Nfa(Builder b, int start, int accept) {
        this.start = start;
        this.accept = accept;
        int states = b.states;
        int edges = b.edges.size();
        edgeFrom = new int[states + 1];
        for (int[] e : b.edges) {
            edgeFrom[e[0] + 1]++;
        }
        for (int s = 0; s < states; s++) {
            edgeFrom[s + 1] += edgeFrom[s];
        }
        kind = new int[edges];
        argument = new int[edges];
        target = new int[edges];
        int[] fill = Arrays.copyOf(edgeFrom, states);
        for (int[] e : b.edges) {
            int at = fill[e[0]]++;
            kind[at] = e[1];
            argument[at] = e[2];
            target[at] = e[3];
        }
    }

    /** Whether the automaton accepts {@code input} from index {@code from} to {@code to}, exclusive, whole. */
    boolean matches(String input, int from, int to) {
        int states = edgeFrom.length - 1;
        Run current = new Run(states);
        Run next = new Run(states);
        current.offer(start, 0);
        current.close(this);
        for (int i = from; i < to; ) {
            int c = input.codePointAt(i);
            i += Character.charCount(c);
            next.clear();
            for (int k = 0; k < current.size; k++) {
                int s = current.live[k];
                int count = current.count[s];
                for (int e = edgeFrom[s]; e < edgeFrom[s + 1]; e++) {
                    if (consumes(e, c)) {
                        next.offer(target[e], count);
                    }
                }
            }
            if (next.size == 0) {
                return false;
            }
            next.close(this);
            Run swap = current;
            current = next;
            next = swap;
        }
        return current.count[accept] != INACTIVE;
    }

    private boolean consumes(int e, int c) {
        return switch (kind[e]) {
            case CODE_POINT -> argument[e] == c;
            case CLASS -> CLASSES[argument[e]].contains(c);
            default -> false;
        };
    }

    /** The live states at one position, each with its lowest counter. */
    private static final class Run {
        final int[] count;
        final int[] live;
        int size;
        /** States whose epsilon edges are still to follow, each at most once: it reads its count when taken. */
        private final int[] work;
        private final boolean[] queued;
        private int pending;

        Run(int states) {
            count = new int[states];
            Arrays.fill(count, INACTIVE);
            live = new int[states];
            work = new int[states];
            queued = new boolean[states];
        }

        void clear() {
            for (int k = 0; k < size; k++) {
                count[live[k]] = INACTIVE;
            }
            size = 0;
        }

        /** Makes {@code s} live with {@code n}, or lowers its counter. */
        void offer(int s, int n) {
            if (n >= count[s]) {
                return;
            }
            if (count[s] == INACTIVE) {
                live[size++] = s;
            }
            count[s] = n;
            if (!queued[s]) {
                queued[s] = true;
                work[pending++] = s;
            }
        }

        /** Follows every epsilon edge from the live states until nothing changes. */
        void close(Nfa nfa) {
            while (pending > 0) {
                int s = work[--pending];
                queued[s] = false;
                int n = count[s];
                for (int e = nfa.edgeFrom[s]; e < nfa.edgeFrom[s + 1]; e++) {
                    switch (nfa.kind[e]) {
                        case EPSILON -> offer(nfa.target[e], n);
                        case SET -> offer(nfa.target[e], nfa.argument[e]);
                        case COUNT -> {
                            if (n < nfa.argument[e]) {
                                offer(nfa.target[e], n + 1);
                            }
                        }
                        default -> { }
                    }
                }
            }
        }
    }

    /** Adds states and edges; {@link #build} freezes them. */
    static final class Builder {
        private int states;
        private final List<int[]> edges = new ArrayList<>();

        int state() {
            return states++;
        }

        void epsilon(int from, int to) {
            edges.add(new int[] {from, EPSILON, 0, to});
        }

        /** An epsilon edge that sets the counter to {@code value}. */
        void set(int from, int to, int value) {
            edges.add(new int[] {from, SET, value, to});
        }

        /** An epsilon edge that adds one to the counter, taken only while it stays at most {@code limit}. */
        void count(int from, int to, int limit) {
            edges.add(new int[] {from, COUNT, limit, to});
        }

        void codePoint(int from, int c, int to) {
            edges.add(new int[] {from, CODE_POINT, c, to});
        }

        void charClass(int from, CharClass c, int to) {
            edges.add(new int[] {from, CLASS, c.ordinal(), to});
        }

        /** A new state reached from {@code from} by one character of {@code c}. */
        int chain(int from, CharClass c) {
            int to = state();
            charClass(from, c, to);
            return to;
        }

        Nfa build(int start, int accept) {
            return new Nfa(this, start, accept);
        }
    }
}
