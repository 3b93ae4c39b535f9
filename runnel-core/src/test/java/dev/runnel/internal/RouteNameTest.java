package dev.runnel.internal;

import dev.runnel.RequestContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteNameTest {

    @Test
    void aPathWithoutParametersIsItsOwnRoute() {
        assertThat(RouteName.of(RequestContext.of("/sse/ticks"))).isEqualTo("/sse/ticks");
    }

    @Test
    void eachParameterSegmentIsReplacedByItsName() {
        RequestContext request = RequestContext.of("/rooms/42/topic/news,alerts")
                .withPathParams(Map.of("room", "42", "names", "news,alerts"));
        assertThat(RouteName.of(request)).isEqualTo("/rooms/{room}/topic/{names}");
    }

    @Test
    void aParameterReplacesOneSegmentOnly() {
        RequestContext request = RequestContext.of("/a/x/x").withPathParams(Map.of("id", "x"));
        assertThat(RouteName.of(request)).isEqualTo("/a/{id}/x");
    }
}
