package dev.runnel.client.internal;

import dev.runnel.client.MessageEvent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Conformance cases written from the WHATWG HTML standard, "9.2.5 Parsing an event stream" and
 * "9.2.6 Interpreting an event stream": the bytes of a whole stream, and the events (type, data,
 * lastEventId), comments and retry values a conforming reader gets from it. The parser test and
 * the socket test run every case.
 */
public final class SpecCases {

    /**
     * One case.
     *
     * @param rule the rule of the standard it checks
     * @param input the stream's bytes, up to the end of the stream
     */
    public record Case(String rule, byte[] input, List<MessageEvent> events, List<String> comments, List<Long> retries) {
        @Override
        public String toString() {
            return rule;
        }
    }

    private SpecCases() {
    }

    public static List<Case> all() {
        List<Case> all = new ArrayList<>();
        all.add(of("a data field dispatches a message event", "data: hello\n\n", ev("message", "hello", "")));
        all.add(of("data lines are joined with LF", "data: a\ndata: b\n\n", ev("message", "a\nb", "")));
        all.add(of("only the last LF of the data buffer is removed", "data: a\ndata:\n\n", ev("message", "a\n", "")));
        all.add(of("a data field with an empty value is dispatched", "data:\n\n", ev("message", "", "")));
        all.add(of("a field name without a colon has an empty value", "data\ndata\n\n", ev("message", "\n", "")));
        all.add(new Case("a block without a data field is not dispatched", utf8("event: x\n\nid: 1\n\n: c\n\ndata: y\n\n"),
                List.of(ev("message", "y", "1")), List.of("c"), List.of()));
        all.add(of("one space after the colon is removed, no more", "data:  two\ndata:none\n\n", ev("message", " two\nnone", "")));
        all.add(of("a colon in the value is kept", "data: a: b\n\n", ev("message", "a: b", "")));
        all.add(of("event names one event", "event: add\ndata: 1\n\ndata: 2\n\n", ev("add", "1", ""), ev("message", "2", "")));
        all.add(of("an empty event field means message", "event\ndata: x\n\nevent:\ndata: y\n\n",
                ev("message", "x", ""), ev("message", "y", "")));
        all.add(of("the last event id persists across events", "id: 1\ndata: a\n\ndata: b\n\n",
                ev("message", "a", "1"), ev("message", "b", "1")));
        all.add(of("an id after the data applies to that event", "data: a\nid: 3\n\n", ev("message", "a", "3")));
        all.add(of("an id containing NUL is ignored", "id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n",
                ev("message", "a", "1"), ev("message", "b", "1")));
        all.add(of("an empty id resets the last event id", "id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n",
                ev("message", "a", "1"), ev("message", "b", ""), ev("message", "c", "2"), ev("message", "d", "")));
        all.add(of("an id in a block without data still sets the last event id", "id: 5\n\ndata: x\n\n", ev("message", "x", "5")));
        all.add(new Case("retry with ASCII digits sets the reconnection time", utf8("retry: 2500\ndata: x\n\n"),
                List.of(ev("message", "x", "")), List.of(), List.of(2500L)));
        all.add(new Case("retry with anything but ASCII digits is ignored",
                utf8("retry: 25x\nretry: -1\nretry: 1.5\nretry:  10\nretry:\nretry\nretry: \u0661\u0662\ndata: x\n\nretry: 0\n\n"),
                List.of(ev("message", "x", "")), List.of(), List.of(0L)));
        all.add(new Case("a line starting with a colon is a comment", utf8(": hello\n:world\n:\ndata: x\n\n"),
                List.of(ev("message", "x", "")), List.of("hello", "world", ""), List.of()));
        all.add(of("unknown fields are ignored and names are case-sensitive",
                "foo: bar\nData: no\nDATA: no\ndata : no\nevent2: no\ndata: x\n\n", ev("message", "x", "")));
        all.add(of("CR LF, LF and a lone CR all end a line", "data: a\r\ndata: b\rdata: c\ndata: d\r\n\r\n",
                ev("message", "a\nb\nc\nd", "")));
        all.add(of("CR LF is one line end, not two", "data: a\r\ndata: b\r\n\r\n", ev("message", "a\nb", "")));
        all.add(of("LF then CR is two line ends", "data: a\n\rdata: b\n\n", ev("message", "a", ""), ev("message", "b", "")));
        all.add(of("CR CR is two line ends", "data: a\r\rdata: b\r\r", ev("message", "a", ""), ev("message", "b", "")));
        all.add(of("a leading BOM is skipped", "\uFEFFdata: x\n\n", ev("message", "x", "")));
        all.add(of("only one leading BOM is skipped", "\uFEFF\uFEFFdata: x\n\ndata: y\n\n", ev("message", "y", "")));
        all.add(of("a BOM after the start is not skipped", "data: a\n\n\uFEFFdata: b\n\n", ev("message", "a", "")));
        all.add(of("UTF-8 is decoded", "event: caf\u00e9\nid: \u00fc1\ndata: \u2713 na\u00efve \uD83D\uDE00\n\n",
                ev("caf\u00e9", "\u2713 na\u00efve \uD83D\uDE00", "\u00fc1")));
        all.add(of("malformed UTF-8 decodes to U+FFFD as the Encoding standard says",
                bytes("data: a", 0xFF, "b", 0xED, 0xA0, 0x80, "c", 0xE2, 0x82, "\n\n"),
                ev("message", "a\uFFFDb\uFFFD\uFFFD\uFFFDc\uFFFD", "")));
        all.add(of("the unterminated final event is discarded", "data: a\n\ndata: b\n", ev("message", "a", "")));
        all.add(of("a final line without a line end is discarded", "data: a\n\nid: 9\ndata: b", ev("message", "a", "")));
        all.add(of("empty lines between events dispatch nothing", "\n\ndata: a\n\n\n\n", ev("message", "a", "")));
        all.add(of("NUL and control characters in data are kept", "data: a\u0000b\tc\n\n", ev("message", "a\u0000b\tc", "")));
        return all;
    }

    private static Case of(String rule, String input, MessageEvent... events) {
        return of(rule, utf8(input), events);
    }

    private static Case of(String rule, byte[] input, MessageEvent... events) {
        return new Case(rule, input, List.of(events), List.of(), List.of());
    }

    private static MessageEvent ev(String type, String data, String lastEventId) {
        return new MessageEvent(type, data, lastEventId);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Strings as UTF-8, integers as single bytes. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(utf8(s));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
