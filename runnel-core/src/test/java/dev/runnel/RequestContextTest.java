package dev.runnel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RequestContextTest {

    private static RequestContext request(Map<String, List<String>> query, Map<String, List<String>> headers) {
        return new RequestContext("get", "/events", null, query, headers, null, null, null, null);
    }

    @Test
    void headerLookupIgnoresCase() {
        RequestContext ctx = request(null, Map.of("X-Token", List.of("abc")));

        assertThat(ctx.header("x-token")).contains("abc");
        assertThat(ctx.header("X-TOKEN")).contains("abc");
    }

    @Test
    void missingHeaderIsEmpty() {
        assertThat(RequestContext.of("/").header("Accept")).isEmpty();
    }

    @Test
    void methodIsUpperCased() {
        assertThat(request(null, null).method()).isEqualTo("GET");
    }

    @Test
    void queryIntReturnsFallbackWhenAbsent() {
        assertThat(request(null, null).queryInt("limit", 10, 1, 100)).isEqualTo(10);
    }

    @Test
    void queryIntReturnsAValueInRange() {
        assertThat(request(Map.of("limit", List.of("25")), null).queryInt("limit", 10, 1, 100)).isEqualTo(25);
    }

    @Test
    void queryIntAcceptsTheBoundsOfTheRange() {
        assertThat(request(Map.of("limit", List.of("1")), null).queryInt("limit", 10, 1, 100)).isEqualTo(1);
        assertThat(request(Map.of("limit", List.of("100")), null).queryInt("limit", 10, 1, 100)).isEqualTo(100);
    }

    @Test
    void queryIntRejectsNonIntegerNamingParameterAndRange() {
        RequestContext ctx = request(Map.of("limit", List.of("ten")), null);

        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> ctx.queryInt("limit", 10, 1, 100))
                .withMessageContaining("limit")
                .withMessageContaining("1 to 100")
                .withMessageContaining("ten");
    }

    @Test
    void queryIntRejectsValueAboveRangeNamingParameterAndRange() {
        RequestContext ctx = request(Map.of("limit", List.of("101")), null);

        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> ctx.queryInt("limit", 10, 1, 100))
                .withMessageContaining("limit")
                .withMessageContaining("1 to 100")
                .withMessageContaining("101");
    }

    @Test
    void queryIntRejectsValueBelowRangeNamingParameterAndRange() {
        RequestContext ctx = request(Map.of("limit", List.of("0")), null);

        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> ctx.queryInt("limit", 10, 1, 100))
                .withMessageContaining("limit")
                .withMessageContaining("1 to 100");
    }

    @Test
    void queryIntRejectsValueBeyondIntAsOutOfRange() {
        RequestContext ctx = request(Map.of("limit", List.of("99999999999")), null);

        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> ctx.queryInt("limit", 10, 1, 100))
                .withMessageContaining("1 to 100");
    }

    @Test
    void badRequestMessageIsOneLine() {
        RequestContext ctx = request(Map.of("limit", List.of("a\nb")), null);

        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> ctx.queryInt("limit", 10, 1, 100))
                .withMessageNotContaining("\n");
    }

    @Test
    void lastEventIdHeaderWinsOverQueryParameter() {
        RequestContext ctx = request(Map.of("lastEventId", List.of("from-query")),
                Map.of("Last-Event-ID", List.of("from-header")));

        assertThat(ctx.lastEventId()).contains("from-header");
    }

    @Test
    void lastEventIdHeaderIsFoundWhateverItsCase() {
        RequestContext ctx = request(null, Map.of("last-event-id", List.of("7")));

        assertThat(ctx.lastEventId()).contains("7");
    }

    @Test
    void lastEventIdComesFromQueryWhenThereIsNoHeader() {
        RequestContext ctx = request(Map.of("lastEventId", List.of("from-query")), null);

        assertThat(ctx.lastEventId()).contains("from-query");
    }

    @Test
    void lastEventIdIsEmptyWhenNeitherIsGiven() {
        assertThat(RequestContext.of("/").lastEventId()).isEmpty();
    }

    @Test
    void missingPathParameterNamesTheParameter() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> RequestContext.of("/").pathParam("room"))
                .withMessageContaining("{room}");
    }
}
