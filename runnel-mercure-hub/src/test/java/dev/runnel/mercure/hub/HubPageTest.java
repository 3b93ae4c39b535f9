package dev.runnel.mercure.hub;

import dev.runnel.RequestContext;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The page at {@code /}: the debug view for this machine only, settings escaped. */
class HubPageTest {

    private final HubPage page = new HubPage(HubSettings.from(List.of("--publisher-jwt-key", "k", "--cookie-name", "<b>x</b>"), Map.of(), w -> { }));

    private static RequestContext from(String address) {
        return new RequestContext("GET", "/", null, null, null, null, new InetSocketAddress(address, 40000), null, null);
    }

    @Test
    void theDebugViewIsForRequestsFromThisMachineOnly() {
        assertThat(page.render(from("127.0.0.1"))).contains("Debug view").contains("new EventSource");
        assertThat(page.render(from("::1"))).contains("Debug view");
        assertThat(page.render(from("203.0.113.5"))).doesNotContain("Debug view").doesNotContain("<script")
                .contains("requests from this machine only");
        assertThat(page.render(RequestContext.of("/"))).as("no known peer").doesNotContain("<script");
    }

    @Test
    void settingsAreEscaped() {
        assertThat(page.render(from("203.0.113.5"))).contains("&lt;b&gt;x&lt;/b&gt;").doesNotContain("<b>x</b>");
    }
}
