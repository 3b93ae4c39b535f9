package dev.runnel.example;

import dev.runnel.SseEngine;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.pebble.PebbleFragments;

import java.util.Map;

/**
 * The demo's smaller pages, each showing one behaviour in a real browser (and used by the browser
 * tests): a render error shown inline, the close event, many streams on one page.
 */
final class DemoPages {

    private DemoPages() {
    }

    static void register(RunnelServer server, SseEngine engine, PebbleFragments fragments, Map<String, String> versions) {
    }
}
