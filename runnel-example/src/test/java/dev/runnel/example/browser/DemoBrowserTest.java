package dev.runnel.example.browser;

import dev.runnel.example.DemoOptions;
import dev.runnel.example.DemoServer;
import dev.runnel.jetty.RunnelServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo in a real browser: headless Chromium against {@link DemoServer} on a free port of this
 * JVM. Each test starts its own server, so counts start from zero; all stop once the browser is gone.
 */
class DemoBrowserTest {

    /** Chromium's EventSource waits 3 s before reconnecting; watching 4 s covers one retry. */
    private static final Duration RECONNECT_WINDOW = Duration.ofSeconds(4);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    // Keep test output readable: the demo logs the render error it is asked to provoke, Jetty every
    // start and stop, and Selenium that it has no CDP bindings for this Chromium (the tests use none).
    // Held in fields, so the levels stay set.
    private static final Logger RUNNEL_LOG = quiet("dev.runnel", Level.OFF);
    private static final Logger JETTY_LOG = quiet("org.eclipse.jetty", Level.WARNING);
    private static final Logger CDP_LOG = quiet("org.openqa.selenium.devtools", Level.SEVERE);

    private static Browser browser;
    private static final List<RunnelServer> servers = new ArrayList<>();

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void quitTheBrowserThenStopTheServers() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            // after the browser: a server stops at once when no idle keep-alive connection is left open
            servers.forEach(RunnelServer::stop);
        }
    }

    @AfterEach
    void leaveThePage() {
        if (browser != null) {
            browser.openBlank(); // closes the page's streams
        }
    }

    private static RunnelServer serve(DemoOptions options) {
        RunnelServer server = DemoServer.create(options).start();
        servers.add(server);
        return server;
    }

    private static RunnelServer serve(boolean debug) {
        return serve(new DemoOptions("127.0.0.1", 0, debug));
    }

    @Test
    void homePageSwapsFragmentsInByEventName() {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/"));
        String renderedClock = browser.text("#clock");
        browser.await("the clock to change", b -> !browser.text("#clock").equals(renderedClock));
        // the page renders with no stream open; only a swapped-in stats fragment can count one
        browser.await("#stats to show an open stream", b -> openStreams() >= 1);
        // a rendered ticker has one point; each swap from the stream adds one
        browser.await("#ticker to be swapped three times", b -> tickerPoints() >= 3);
    }

    @Test
    void theHtmx4PageSwapsTheClockFromUnnamedPartials() {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/htmx4"));
        browser.await("htmx 4 to swap the clock", b -> browser.text("#clock").contains("sent as HTMX4"));
        String first = browser.text("#clock");
        browser.await("the next tick", b -> !browser.text("#clock").equals(first));
    }

    @Test
    void theDatastarPageMergesTheClockAndTheSignal() {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/datastar"));
        browser.await("Datastar to merge the clock", b -> browser.text("#clock").contains("sent as DATASTAR_BETA"));
        browser.await("the ticks signal to reach 2", b -> browser.text("#ticks").matches("[2-9]|\\d{2,}"));
    }

    @Test
    void aPageWhoseStreamTheServerEndsResumesWithNothingMissedOrTwice() throws Exception {
        RunnelServer server = serve(new DemoOptions("127.0.0.1", 0, false).withMaxStreamAge(2));
        var hub = server.engine().hub();
        String start = hub.publish("feed", "start").id();
        browser.open(server.uri().resolve("/demo/feed?from=" + start));
        browser.await("the page to subscribe", b -> hub.subscribers("feed") == 1);
        int total = 60;
        for (int n = 1; n <= total; n++) { // about 6 s: the stream is ended by its age at least twice
            hub.publish("feed", dev.runnel.Fragment.of("demo/feed-item", "item", java.util.Map.of("n", n), "item"));
            Thread.sleep(100);
        }
        browser.await("the last item", b -> browser.text("#feed").contains("item " + total));
        List<String> items = browser.all("#feed li").stream().map(WebElement::getText).toList();
        List<String> expected = java.util.stream.IntStream.rangeClosed(1, total).mapToObj(n -> "item " + n).toList();
        assertThat(items).containsExactlyElementsOf(expected);
    }

    @Test
    void debugModeShowsTheRenderErrorInsideItsPanel() {
        RunnelServer server = serve(true);
        browser.open(server.uri().resolve("/demo/broken"));
        WebElement error = browser.await("a block error inside #panel",
                b -> browser.all("#panel .runnel-block-error").stream().findFirst().orElse(null));
        assertThat(error.getText()).contains("RenderException").contains("no_such_block");
        assertThat(error.getDomAttribute("data-block")).isEqualTo("no_such_block");
    }

    @Test
    void productionKeepsTheRenderErrorOutOfThePanel() {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/demo/broken"));
        // event 3 comes after the broken fragment, so by then the panel has had its chance to change
        browser.await("the event after the broken fragment", b -> browser.text("#message").equals("event 3 is fine"));
        assertThat(browser.all("#panel .runnel-block-error")).isEmpty();
        assertThat(browser.text("#panel")).isEqualTo("The panel's own content.");
    }

    @Test
    void theCloseEventStopsReconnectingWhereThePageAsksForIt() throws Exception {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/demo/close"));
        browser.await("three ticks", b -> browser.all("#ticks li").size() == 3);
        assertThat(browser.text("#ticks")).isEqualTo("connection 1: tick 1\nconnection 1: tick 2\nconnection 1: tick 3");
        Thread.sleep(RECONNECT_WINDOW.toMillis()); // the observation window: nothing may happen in it
        assertThat(connections(server)).as("connections to /sse/ticks-counted").isEqualTo(1);
        assertThat(browser.all("#ticks li")).hasSize(3);
    }

    @Test
    void withoutSseCloseTheBrowserReconnects() throws Exception {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/demo/reconnect"));
        browser.await("ticks from a second connection", b -> browser.text("#ticks").contains("connection 2: tick 3"));
        assertThat(connections(server)).as("connections to /sse/ticks-counted").isGreaterThanOrEqualTo(2);
        assertThat(browser.text("#ticks")).startsWith("connection 1: tick 1\nconnection 1: tick 2\nconnection 1: tick 3\n");
    }

    @Test
    void overHttp1OnlySixOfTenStreamsReceive() {
        RunnelServer server = serve(false);
        browser.open(server.uri().resolve("/demo/streams?n=10"));
        assertThat(browser.text("#protocol")).isEqualTo("http/1.1");
        // 30 messages at 5 per second per stream: the six open streams have run for about a second,
        // long enough for a seventh to have connected if the browser allowed one
        browser.await("30 messages", b -> count("#messages") >= 30);
        assertThat(count("#receiving")).isEqualTo(6);
        assertThat(browser.all("#streams li")).hasSize(10);
    }

    @Test
    void overHttp2WithTlsAllTenStreamsReceive() {
        // TLS with the demo's self-signed development certificate (written to .runnel/), so this
        // browser accepts any certificate
        RunnelServer server = serve(new DemoOptions("127.0.0.1", 0, false, null, true, 0));
        assertThat(server.uri().getScheme()).isEqualTo("https");
        try (Browser tls = Browser.start("--ignore-certificate-errors")) {
            tls.open(server.uri().resolve("/demo/streams?n=10"));
            assertThat(tls.text("#protocol")).isEqualTo("h2");
            tls.await("all ten streams to receive", b -> tls.text("#receiving").equals("10"));
        }
    }

    @Test
    void dashboardScreenshot() throws Exception {
        RunnelServer server = serve(false);
        browser.viewport(1100, 800);
        browser.open(server.uri().resolve("/"));
        String renderedClock = browser.text("#clock");
        browser.await("the clock to tick", b -> !browser.text("#clock").equals(renderedClock));
        browser.await("the stats to count the page's streams", b -> openStreams() >= 2);
        browser.await("the chat's welcome message", b -> browser.text("#chat").contains("Welcome!"));
        browser.await("a few seconds of ticker line", b -> tickerPoints() >= 5);
        List<Path> targets = new ArrayList<>(List.of(Path.of("target", "screenshots", "dashboard.png")));
        String extra = System.getProperty("runnel.screenshot");
        if (extra != null && !extra.isBlank()) {
            targets.add(Path.of(extra));
        }
        browser.screenshot(targets.toArray(Path[]::new));
        assertThat(targets.getFirst()).isNotEmptyFile();
    }

    private static long count(String css) {
        String text = browser.text(css).strip();
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    private static long openStreams() {
        List<WebElement> dd = browser.driver().findElements(
                By.xpath("//div[@id='stats']//dt[normalize-space()='open streams']/following-sibling::dd[1]"));
        if (dd.isEmpty()) {
            return -1;
        }
        String text = dd.getFirst().getText().strip();
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    private static int tickerPoints() {
        List<WebElement> line = browser.all("#ticker polyline");
        if (line.isEmpty()) {
            return 0;
        }
        String points = line.getFirst().getDomAttribute("points");
        return points == null || points.isBlank() ? 0 : points.strip().split("\\s+").length;
    }

    private static int connections(RunnelServer server) throws Exception {
        URI uri = server.uri().resolve("/demo/connections");
        String body = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        return Integer.parseInt(body.replaceAll("\\D+", ""));
    }

    private static Logger quiet(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        return logger;
    }
}
