package dev.runnel.example.browser;

import dev.runnel.example.DemoOptions;
import dev.runnel.example.DemoServer;
import dev.runnel.jetty.RunnelServer;
import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The operations page in headless Chromium: it follows streams opening and closing, fed over its own stream. */
class OpsPageBrowserTest {

    // held in fields, so the levels stay set
    private static final Logger JETTY_LOG = quiet("org.eclipse.jetty", Level.WARNING);
    private static final Logger CDP_LOG = quiet("org.openqa.selenium.devtools", Level.SEVERE);

    private static Browser browser;
    private static RunnelServer server;

    @BeforeAll
    static void start() {
        server = DemoServer.create(new DemoOptions("127.0.0.1", 0, false)).start();
        browser = Browser.start();
    }

    @AfterAll
    static void quitTheBrowserThenStopTheServer() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void theOpenStreamCountRisesWhenStreamsOpenAndFallsWhenTheyClose() throws Exception {
        browser.open(server.uri().resolve("/ops"));
        browser.await("the page's own stream to be counted", b -> openStreams() == 1);

        List<RawSseClient> extra = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                extra.add(RawSseClient.get(server.uri().resolve("/sse/idle?heartbeat_s=60")));
            }
            browser.await("three more open streams", b -> openStreams() == 4);
            assertThat(browser.text("#streams")).contains("/sse/idle 3");
        } finally {
            for (RawSseClient client : extra) {
                client.close();
            }
        }
        browser.await("the three streams to be gone", b -> openStreams() == 1);
        assertThat(browser.text("#ends")).contains("client_closed 3");
        assertThat(browser.all("#chart polyline.open")).isNotEmpty();
    }

    private static long openStreams() {
        String text = browser.text("#open-streams").strip();
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    private static Logger quiet(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        return logger;
    }
}
