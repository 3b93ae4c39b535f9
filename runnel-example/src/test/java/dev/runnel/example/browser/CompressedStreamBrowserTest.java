package dev.runnel.example.browser;

import dev.runnel.EventStream;
import dev.runnel.SseEngine;
import dev.runnel.SseEvent;
import dev.runnel.compress.Compression;
import dev.runnel.jetty.DevCertificate;
import dev.runnel.jetty.HttpResponse;
import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compressed event stream in a real browser: Debian's headless Chromium over HTTP/2 with TLS (a
 * self-signed certificate made for the test) asks for {@code gzip, deflate, br, zstd}, the stream is
 * sent with one coding, and the page shows each event before the next one is published. A stream
 * whose compressor held events back until a block filled would leave the page on the old event.
 */
class CompressedStreamBrowserTest {

    /** Events long and alike, as fragments are, so the compressor has something to hold back. */
    private static final String ROW = "<tr class=\"quote\"><td class=\"symbol\">RNL</td><td class=\"price\">%d.25</td></tr>";
    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>compressed</title></head><body>
            <p id="state">connecting</p><div id="out">none</div>
            <script>
              const source = new EventSource('/sse/quotes');
              source.onopen = () => document.getElementById('state').textContent = 'open';
              source.onmessage = e => {
                const row = new DOMParser().parseFromString('<table>' + e.data + '</table>', 'text/html');
                document.getElementById('out').textContent = e.lastEventId + ' ' + row.querySelector('.price').textContent;
              };
            </script></body></html>""";
    private static final int EVENTS = 6;
    // Jetty logs every start and stop; Selenium that it has no CDP bindings for this Chromium
    private static final Logger JETTY_LOG = quiet("org.eclipse.jetty", Level.WARNING);
    private static final Logger CDP_LOG = quiet("org.openqa.selenium.devtools", Level.SEVERE);

    private static Browser browser;
    private final List<RunnelServer> servers = new ArrayList<>();
    private final BlockingQueue<String> published = new LinkedBlockingQueue<>();

    private static Logger quiet(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        return logger;
    }

    @BeforeAll
    static void startBrowser() {
        // the network log: what Chromium itself saw of each response (protocol, headers)
        browser = Browser.start(options -> options.setCapability("goog:loggingPrefs", Map.of(LogType.PERFORMANCE, "ALL")),
                "--ignore-certificate-errors");
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void leaveThePageThenStop() {
        try {
            if (browser != null) {
                browser.openBlank(); // closes the page's stream
            }
        } finally {
            servers.forEach(RunnelServer::stop);
        }
    }

    private RunnelServer serve(Path dir, Compression compression) throws Exception {
        Path keyStore = DevCertificate.loadOrCreate(dir.resolve("dev.p12"));
        RunnelServer server = RunnelServer.builder().port(0).host("127.0.0.1").tls(keyStore, DevCertificate.PASSWORD)
                .engine(SseEngine.builder().build()).build();
        server.get("/", req -> HttpResponse.html(PAGE));
        server.sse("/sse/quotes", req -> EventStream.producer(out -> {
            for (int id = 1; ; id++) {
                out.emit(SseEvent.of(published.take()).withId(Integer.toString(id)));
            }
        }).compression(compression));
        server.start();
        servers.add(server);
        return server;
    }

    /** Publishes one event at a time and waits for the page to show it before publishing the next. */
    private static void everyEventShowsBeforeTheNextIsPublished(Browser browser, BlockingQueue<String> published) {
        for (int n = 1; n <= EVENTS; n++) {
            String expected = n + " " + (100 + n) + ".25";
            published.add(ROW.formatted(100 + n));
            browser.await("event " + n + " on the page before event " + (n + 1) + " is published",
                    d -> browser.text("#out").equals(expected));
        }
    }

    /** What Chromium's network log says of the response to {@code path}: its protocol and headers (read once). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> response(Browser browser, String path) {
        Json json = new Json();
        for (LogEntry entry : browser.driver().manage().logs().get(LogType.PERFORMANCE)) {
            Map<String, Object> log = json.toType(entry.getMessage(), Map.class);
            Map<String, Object> message = (Map<String, Object>) log.get("message");
            if ("Network.responseReceived".equals(message.get("method"))) {
                Map<String, Object> response = (Map<String, Object>) ((Map<String, Object>) message.get("params")).get("response");
                if (String.valueOf(response.get("url")).endsWith(path)) {
                    return response;
                }
            }
        }
        throw new AssertionError("Chromium's network log has no response for " + path);
    }

    @SuppressWarnings("unchecked")
    private void streamsEachEventCompressed(Path dir, Compression compression, String coding) throws Exception {
        RunnelServer server = serve(dir, compression);
        browser.driver().manage().logs().get(LogType.PERFORMANCE); // drops what earlier tests left in the log
        browser.open(URI.create("https://localhost:" + server.port() + "/"));
        browser.await("the page's EventSource is open", d -> browser.text("#state").equals("open"));

        everyEventShowsBeforeTheNextIsPublished(browser, published);

        Map<String, Object> response = response(browser, "/sse/quotes");
        assertThat(response.get("protocol")).as("the stream's protocol").isEqualTo("h2");
        Map<String, Object> headers = (Map<String, Object>) response.get("headers");
        assertThat(headers).as("the stream's response headers").containsEntry("content-encoding", coding)
                .containsEntry("content-type", "text/event-stream");
        Map<String, Object> request = (Map<String, Object>) response.get("requestHeaders");
        if (request != null) { // Chromium reports the request's headers when it has them
            assertThat(String.valueOf(request.get("accept-encoding"))).contains(coding);
        }
    }

    @Test
    void chromiumOverHttp2ShowsEveryGzipCodedEventBeforeTheNext(@TempDir Path dir) throws Exception {
        streamsEachEventCompressed(dir, Compression.of("gzip"), "gzip");
    }

    @Test
    void chromiumOverHttp2ShowsEveryZstdCodedEventBeforeTheNext(@TempDir Path dir) throws Exception {
        streamsEachEventCompressed(dir, Compression.of("zstd"), "zstd");
    }
}
