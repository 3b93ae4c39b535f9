package dev.runnel.mercure.hub;

import dev.runnel.mercure.JwtAlgorithm;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The standalone hub's settings: flags, the reference hub's environment variables, and which wins. */
class HubSettingsTest {

    private final List<String> warnings = new ArrayList<>();

    private HubSettings read(Map<String, String> env, String... args) {
        return HubSettings.from(List.of(args), env, warnings::add);
    }

    @Test
    void theReferenceHubsEnvironmentConfiguresTheHub() {
        HubSettings s = read(Map.of(
                "MERCURE_PUBLISHER_JWT_KEY", "!ChangeThisMercureHubJWTSecretKey!",
                "MERCURE_SUBSCRIBER_JWT_KEY", "subscriber secret",
                "MERCURE_SUBSCRIBER_JWT_ALG", "hs512",
                "MERCURE_EXTRA_DIRECTIVES", """
                        anonymous
                        subscriptions   # the web API too
                        cors_origins https://app.example.com "https://other.example.com"
                        publish_origins *
                        cookie_name mercureAuth
                        """));

        assertThat(s.publisherKey()).isEqualTo("!ChangeThisMercureHubJWTSecretKey!");
        assertThat(s.publisherAlgorithm()).isEqualTo(JwtAlgorithm.HS256);
        assertThat(s.subscriberKey()).isEqualTo("subscriber secret");
        assertThat(s.subscriberAlgorithm()).isEqualTo(JwtAlgorithm.HS512);
        assertThat(s.anonymous()).isTrue();
        assertThat(s.subscriptions()).isTrue();
        assertThat(s.corsOrigins()).containsExactly("https://app.example.com", "https://other.example.com");
        assertThat(s.publishOrigins()).containsExactly("*");
        assertThat(s.cookieName()).isEqualTo("mercureAuth");
        assertThat(warnings).isEmpty();
    }

    @Test
    void compressionIsOffUnlessTheFlagNamesCodings() {
        assertThat(read(Map.of(), "--publisher-jwt-key", "k").compression()).isEqualTo(dev.runnel.compress.Compression.OFF);
        assertThat(read(Map.of(), "--publisher-jwt-key", "k", "--compression", " GZIP ").compression().codings()).containsExactly("gzip");
        assertThat(read(Map.of(), "--publisher-jwt-key", "k", "--compression", "off").compression().isOff()).isTrue();
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of(), "--publisher-jwt-key", "k", "--compression", "gzip,brotli"))
                .withMessageStartingWith("--compression gzip,brotli: ").withMessageContaining("\"brotli\"");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of(), "--publisher-jwt-key", "k", "--compression"))
                .withMessage("--compression needs a value");
        if (dev.runnel.compress.ContentCodings.find("zstd").isEmpty()) {
            assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of(), "--publisher-jwt-key", "k", "--compression", "zstd,gzip"))
                    .withMessageContaining("runnel-zstd");
        }
    }

    @Test
    void flagsWinOverTheEnvironment() {
        HubSettings s = read(Map.of("MERCURE_PUBLISHER_JWT_KEY", "from env", "MERCURE_EXTRA_DIRECTIVES", "cors_origins https://env.example"),
                "--publisher-jwt-key", "from flag", "--cors-origins", "https://a.example", "https://b.example",
                "--port", "0", "--host", "127.0.0.1", "--redis", "redis://127.0.0.1:6379", "--history", "50", "--tls");

        assertThat(s.publisherKey()).isEqualTo("from flag");
        assertThat(s.subscriberKey()).as("without a key of its own, the publishers'").isEqualTo("from flag");
        assertThat(s.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(s.port()).isZero();
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.redis()).isEqualTo(URI.create("redis://127.0.0.1:6379"));
        assertThat(s.history()).isEqualTo(50);
        assertThat(s.tls()).isTrue();
    }

    @Test
    void withoutAPublisherKeyTheHubRefusesToStartSayingHowToGiveOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of()))
                .withMessageContaining("--publisher-jwt-key").withMessageContaining("MERCURE_PUBLISHER_JWT_KEY");
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        Map<String, String> key = Map.of("MERCURE_PUBLISHER_JWT_KEY", "k");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--port", "70000")).withMessageContaining("--port");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--port", "eighty")).withMessageContaining("--port must be a number");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--jwt-algorithm", "none")).withMessageContaining("Unsupported");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--redis", "http://x")).withMessageContaining("--redis");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--cors-origins")).withMessageContaining("at least one");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--host")).withMessageContaining("needs a value");
        assertThatIllegalArgumentException().isThrownBy(() -> read(key, "--wat")).withMessageContaining("unknown option --wat")
                .withMessageContaining("usage:");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("MERCURE_PUBLISHER_JWT_KEY", "k",
                "MERCURE_EXTRA_DIRECTIVES", "anonymous yes"))).withMessageContaining("line 1").withMessageContaining("takes no value");
    }

    @Test
    void directivesThatDoNothingHereAreReportedNotSilentlyDropped() {
        read(Map.of("MERCURE_PUBLISHER_JWT_KEY", "k", "MERCURE_EXTRA_DIRECTIVES", "transport_url bolt:///data/mercure.db\ndemo\n"));

        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("line 1").contains("--redis");
        assertThat(warnings.get(1)).contains("line 2").contains("demo");
    }

    @Test
    void aJwtDirectiveGivesKeyAndAlgorithmAndTheDedicatedVariablesWin() {
        HubSettings s = read(Map.of("MERCURE_EXTRA_DIRECTIVES", "publisher_jwt \"secret with spaces\" HS384",
                "MERCURE_SUBSCRIBER_JWT_KEY", "sub"));

        assertThat(s.publisherKey()).isEqualTo("secret with spaces");
        assertThat(s.publisherAlgorithm()).isEqualTo(JwtAlgorithm.HS384);
        assertThat(s.subscriberAlgorithm()).isEqualTo(JwtAlgorithm.HS256);
    }

    @Test
    void directivesParseQuotesEscapesCommentsAndRefuseBlocksAndOpenQuotes() {
        assertThat(Directives.parse("a \"b \\\" c\" d # not this\n\n\tx\r\ny \"\"")).extracting(Directives.Directive::name, Directives.Directive::args)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", List.of("b \" c", "d")),
                        org.assertj.core.groups.Tuple.tuple("x", List.of()), org.assertj.core.groups.Tuple.tuple("y", List.of("")));
        assertThatIllegalArgumentException().isThrownBy(() -> Directives.parse("a \"open")).withMessageContaining("not closed");
        assertThatIllegalArgumentException().isThrownBy(() -> Directives.parse("route {\n}")).withMessageContaining("blocks");
    }
}
