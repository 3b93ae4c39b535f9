package dev.runnel.mercure;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** What a Mercure hub needs before it serves anything. */
class MercureHubTest {

    private static final String KEY = "a-key-of-at-least-thirty-two-bytes-long";

    @Test
    void aHubThatDoesNotAllowPublishersIdsIsRefusedSayingHowToFixIt() {
        try (SseEngine engine = SseEngine.builder().build()) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> MercureHub.of(engine.hub(), MercureOptions.builder().jwt("HS256", KEY).build()))
                    .withMessageContaining("withPublisherIds(true)");
        }
    }

    @Test
    void optionsNeedThePublishersKeyAndDefaultTheSubscribersToIt() {
        assertThatNullPointerException().isThrownBy(() -> MercureOptions.builder().build()).withMessageContaining("publisherJwt");
        JwtVerifier publisher = JwtVerifier.of("HS256", KEY);
        MercureOptions options = MercureOptions.builder().publisherJwt(publisher).build();
        assertThat(options.subscriberJwt()).isSameAs(publisher);
        assertThat(options.cookieName()).isEqualTo("mercureAuthorization");
        assertThat(options.anonymous()).isFalse();
        assertThat(options.subscriptions()).isFalse();
    }

    @Test
    void originsMustBeOriginsOrAStar() {
        assertThatIllegalArgumentException().isThrownBy(() -> MercureOptions.builder().jwt("HS256", KEY)
                .publishOrigins(List.of("https://app.example.com/path")).build()).withMessageContaining("publishOrigins");
        assertThatIllegalArgumentException().isThrownBy(() -> MercureOptions.builder().jwt("HS256", KEY)
                .corsOrigins(List.of("app.example.com")).build()).withMessageContaining("corsOrigins");
        assertThat(MercureOptions.builder().jwt("HS256", KEY).corsOrigins(List.of("*", "http://localhost:3000")).build().corsOrigins())
                .containsExactly("*", "http://localhost:3000");
    }

    @Test
    void anInvalidCookieNameIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> MercureOptions.builder().jwt("HS256", KEY).cookieName("a b").build());
    }

    @Test
    void aHubWithPublishersIdsIsAccepted() {
        try (SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).build()) {
            MercureHub hub = MercureHub.of(engine.hub(), MercureOptions.builder().jwt("HS256", KEY).build());
            assertThat(hub.options().publisherJwt().algorithm()).isEqualTo(JwtAlgorithm.HS256);
        }
    }
}
