package dev.runnel.mercure;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {

    private static final String SECRET = "!ChangeThisMercureHubJWTSecretKey!";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Map<String, Object> PUBLISH_ALL = Map.of("publish", List.of("*"));

    private static KeyPair rsa;
    private static KeyPair otherRsa;
    private static KeyPair p256;
    private static KeyPair p384;
    private static KeyPair p521;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        otherRsa = rsaGen.generateKeyPair();
        p256 = ec("secp256r1");
        p384 = ec("secp384r1");
        p521 = ec("secp521r1");
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec(curve));
        return gen.generateKeyPair();
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().claim("mercure", PUBLISH_ALL);
    }

    static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String hs256(String secret, JWTClaimsSet claims) throws Exception {
        return sign(new MACSigner(secret.getBytes(UTF_8)), JWSAlgorithm.HS256, claims);
    }

    private static JwtVerifier at(JwtVerifier verifier, Instant now) {
        return verifier.withClock(Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(UTF_8));
    }

    // --- algorithms and keys

    @Test
    void hs256IsTheDefaultAndReadsTheSecretAsRawBytes() throws Exception {
        JwtVerifier verifier = JwtVerifier.of((String) null, SECRET);
        assertThat(verifier.algorithm()).isEqualTo(JwtAlgorithm.HS256);
        MercureClaims claims = verifier.verify(hs256(SECRET, claims().build()));
        assertThat(claims.publish()).contains(List.of("*"));
        assertThat(claims.subscribe()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS384", "HS512"})
    void longerHmacAlgorithms(String name) throws Exception {
        String secret = "s".repeat(64) + "é";
        JWSAlgorithm alg = JWSAlgorithm.parse(name);
        String token = sign(new MACSigner(secret.getBytes(UTF_8)), alg, claims().build());
        assertThat(JwtVerifier.of(name, secret).verify(token).publish()).contains(List.of("*"));
        assertThatThrownBy(() -> JwtVerifier.of(name, secret + "x").verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void shortSecretsWorkAsInTheReferenceHub() throws Exception {
        // HMAC pads a short key with zeros, so this is the MAC any HS256 library computes
        String secret = "!ChangeMe!";
        String signingInput = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64("{\"mercure\":{\"publish\":[\"*\"]}}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
        String token = signingInput + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signingInput.getBytes(UTF_8)));
        assertThat(JwtVerifier.of("HS256", secret).verify(token).publish()).contains(List.of("*"));
        assertThatThrownBy(() -> JwtVerifier.of("HS256", "!ChangeMe?").verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS384", "HS512"})
    void shortSecretsWorkWithLongerHmacAlgorithmsToo(String name) throws Exception {
        String secret = "short";
        String alg = "HmacSHA" + name.substring(2);
        String signingInput = b64("{\"alg\":\"" + name + "\"}") + "." + b64("{\"mercure\":{\"subscribe\":[\"*\"]}}");
        Mac mac = Mac.getInstance(alg);
        mac.init(new SecretKeySpec(secret.getBytes(UTF_8), alg));
        String token = signingInput + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signingInput.getBytes(UTF_8)));
        assertThat(JwtVerifier.of(name, secret).verify(token).subscribe()).contains(List.of("*"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512"})
    void rsaWithAPublicKeyPem(String name) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(name);
        String token = sign(new RSASSASigner(rsa.getPrivate()), alg, claims().build());
        assertThat(JwtVerifier.of(name, pem(rsa.getPublic())).verify(token).publish()).contains(List.of("*"));
        assertThatThrownBy(() -> JwtVerifier.of(name, pem(otherRsa.getPublic())).verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void ecdsaWithAPublicKeyPemOnEachCurve() throws Exception {
        for (Object[] c : new Object[][] {{"ES256", p256}, {"ES384", p384}, {"ES512", p521}}) {
            String name = (String) c[0];
            KeyPair pair = (KeyPair) c[1];
            String token = sign(new ECDSASigner((ECPrivateKey) pair.getPrivate()), JWSAlgorithm.parse(name),
                    claims().build());
            assertThat(JwtVerifier.of(name, pem(pair.getPublic())).verify(token).publish())
                    .as(name).contains(List.of("*"));
        }
    }

    @Test
    void aCertificatePemGivesItsPublicKey() throws Exception {
        String cert = resource("cert-test.pem");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getMimeDecoder().decode(resource("cert-test-key.pem")
                        .replaceAll("-----[A-Z ]+-----", ""))));
        String token = sign(new ECDSASigner((ECPrivateKey) key), JWSAlgorithm.ES256, claims().build());
        assertThat(JwtVerifier.of("ES256", cert).verify(token).publish()).contains(List.of("*"));
    }

    private static String resource(String name) throws Exception {
        try (var in = JwtVerifierTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void pkcs1RsaPublicKeyPemIsReadAsInTheReferenceHub() throws Exception {
        // openssl rsa -pubin -RSAPublicKey_out writes this form; its DER is the SubjectPublicKeyInfo's bit string
        byte[] spki = rsa.getPublic().getEncoded();
        byte[] pkcs1 = pkcs1Of(spki);
        String pem = "-----BEGIN RSA PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(pkcs1)
                + "\n-----END RSA PUBLIC KEY-----\n";
        String token = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, claims().build());
        assertThat(JwtVerifier.of("RS256", pem).verify(token).publish()).contains(List.of("*"));
        assertThatThrownBy(() -> JwtVerifier.of("RS256", pem.replace("RSA PUBLIC KEY", "PUBLIC KEY")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The RSAPublicKey inside a 2048-bit key's SubjectPublicKeyInfo: after its fixed 24-byte header. */
    private static byte[] pkcs1Of(byte[] spki) {
        // 30 82 01 22 | 30 0d 06 09 2a864886f70d010101 05 00 | 03 82 01 0f 00 | RSAPublicKey
        assertThat(spki.length).isEqualTo(294);
        return java.util.Arrays.copyOfRange(spki, 24, spki.length);
    }

    @Test
    void pemMayHaveWindowsLineEndsAndSurroundingBlanks() throws Exception {
        String token = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, claims().build());
        String pem = "\n  " + pem(rsa.getPublic()).replace("\n", "\r\n") + "  \n";
        assertThat(JwtVerifier.of("RS256", pem).verify(token).publish()).contains(List.of("*"));
    }

    @Test
    void badConfigurationIsRefusedSayingWhy() {
        assertThatThrownBy(() -> JwtVerifier.of("HS256", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> JwtVerifier.of("HS999", SECRET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HS256");
        assertThatThrownBy(() -> JwtVerifier.of("none", SECRET))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtVerifier.of("RS256", SECRET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PEM");
        assertThatThrownBy(() -> JwtVerifier.of("RS256", pem(p256.getPublic())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA");
        assertThatThrownBy(() -> JwtVerifier.of("ES256", pem(rsa.getPublic())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EC");
        assertThatThrownBy(() -> JwtVerifier.of("ES256", pem(p384.getPublic())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> JwtVerifier.of("RS256", "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtVerifier.of("RS256", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
        assertThatThrownBy(() -> JwtVerifier.of("RS256", "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA PUBLIC KEY");
        assertThatThrownBy(() -> JwtVerifier.of("RS256", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CERTIFICATE");
        assertThatThrownBy(() -> JwtVerifier.of("HS256", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void algorithmNamesAreCaseInsensitive() {
        assertThat(JwtVerifier.of("hs512", SECRET).algorithm()).isEqualTo(JwtAlgorithm.HS512);
        assertThat(JwtVerifier.of("", SECRET).algorithm()).isEqualTo(JwtAlgorithm.HS256);
    }

    // --- attacks

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void unsignedTokensAreRefused(String none) {
        String token = b64("{\"alg\":\"" + none + "\",\"typ\":\"JWT\"}") + "."
                + b64("{\"mercure\":{\"publish\":[\"*\"]}}") + ".";
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aSignedHeaderWithAnEmptySignatureIsRefused() throws Exception {
        String token = hs256(SECRET, claims().build());
        String stripped = token.substring(0, token.lastIndexOf('.') + 1);
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(stripped))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void wrongSecretIsRefused() throws Exception {
        String token = hs256("another secret that is long enough!!", claims().build());
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("signature");
    }

    @Test
    void hmacSignedWithThePublicKeyPemIsRefusedWhenRsaIsConfigured() throws Exception {
        String publicPem = pem(rsa.getPublic());
        String forged = sign(new MACSigner(publicPem.getBytes(UTF_8)), JWSAlgorithm.HS256, claims().build());
        assertThatThrownBy(() -> JwtVerifier.of("RS256", publicPem).verify(forged))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("HS256");
    }

    @Test
    void anyAlgorithmButTheConfiguredOneIsRefused() throws Exception {
        String hs512 = sign(new MACSigner(SECRET.repeat(2).getBytes(UTF_8)), JWSAlgorithm.HS512, claims().build());
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET.repeat(2)).verify(hs512))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("HS512");
        String rs = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, claims().build());
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(rs))
                .isInstanceOf(InvalidTokenException.class);
        String ps = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.PS256, claims().build());
        assertThatThrownBy(() -> JwtVerifier.of("RS256", pem(rsa.getPublic())).verify(ps))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aKeyEmbeddedInTheHeaderIsIgnored() throws Exception {
        RSAKey attacker = new RSAKey.Builder((RSAPublicKey) otherRsa.getPublic()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(attacker).build(), claims().build());
        jwt.sign(new RSASSASigner(otherRsa.getPrivate()));
        assertThatThrownBy(() -> JwtVerifier.of("RS256", pem(rsa.getPublic())).verify(jwt.serialize()))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void unknownCriticalHeadersAreRefused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                .customParam("exp-check", true).criticalParams(java.util.Set.of("exp-check")).build(), claims().build());
        jwt.sign(new MACSigner(SECRET.getBytes(UTF_8)));
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(jwt.serialize()))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void expiredTokensAreRefusedAndSkewIsConfigurable() throws Exception {
        String token = hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(1))).build());
        JwtVerifier verifier = JwtVerifier.of("HS256", SECRET);
        assertThatThrownBy(() -> at(verifier, NOW).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("expired");
        // exactly at exp is already too late
        assertThatThrownBy(() -> at(verifier, NOW.minusSeconds(1)).verify(token))
                .isInstanceOf(InvalidTokenException.class);
        assertThat(at(verifier, NOW.minusSeconds(2)).verify(token).expiresAt()).contains(NOW.minusSeconds(1));
        assertThat(at(verifier.withClockSkew(Duration.ofSeconds(5)), NOW).verify(token).publish()).isPresent();
        assertThatThrownBy(() -> at(verifier.withClockSkew(Duration.ofSeconds(5)), NOW.plusSeconds(4)).verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void notYetValidTokensAreRefused() throws Exception {
        String token = hs256(SECRET, claims().notBeforeTime(Date.from(NOW.plusSeconds(10))).build());
        JwtVerifier verifier = JwtVerifier.of("HS256", SECRET);
        assertThatThrownBy(() -> at(verifier, NOW).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("not valid before");
        assertThat(at(verifier, NOW.plusSeconds(10)).verify(token).publish()).isPresent();
        assertThat(at(verifier.withClockSkew(Duration.ofSeconds(10)), NOW).verify(token).publish()).isPresent();
    }

    @Test
    void negativeSkewIsRefused() {
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).withClockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "garbage", "a.b", "a.b.c", "..", "a.b.c.d.e", "Bearer x.y.z",
        "eyJhbGciOiJIUzI1NiJ9.eyJ9.x", "ünïcödé.ü.ü", "eyJhbGciOiJIUzI1NiJ9..", "e30.e30.e30"})
    void malformedTokensAreRefused(String token) {
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void claimsThatAreNotJsonAreRefused() throws Exception {
        String header = b64("{\"alg\":\"HS256\"}");
        String payload = b64("not json");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
        String token = header + "." + payload + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal((header + "." + payload).getBytes(UTF_8)));
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void hugeTokensAreRefusedBeforeParsing() throws Exception {
        String big = "x".repeat(64 * 1024);
        String signed = hs256(SECRET, claims().claim("filler", big).build());
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(signed))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("long");
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(big + "." + big + "." + big))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void theReasonNeverRepeatsTheToken() throws Exception {
        String token = hs256("another secret that is long enough!!", claims().build());
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(token))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token.substring(token.lastIndexOf('.') + 1)));
    }

    // --- the mercure claim

    @Test
    void mercureClaimIsRead() throws Exception {
        Map<String, Object> mercure = Map.of(
                "publish", List.of("https://example.com/books/{id}", "*"),
                "subscribe", List.of("https://example.com/users/foo/{?topic}"),
                "payload", Map.of("user", "https://example.com/users/foo", "groups", List.of("a", "b")));
        String token = hs256(SECRET, new JWTClaimsSet.Builder().claim("mercure", mercure)
                .expirationTime(Date.from(NOW.plusSeconds(60))).build());
        MercureClaims claims = at(JwtVerifier.of("HS256", SECRET), NOW).verify(token);
        assertThat(claims.publish()).contains(List.of("https://example.com/books/{id}", "*"));
        assertThat(claims.subscribe()).contains(List.of("https://example.com/users/foo/{?topic}"));
        assertThat(claims.payload()).hasValueSatisfying(json -> assertThat(json)
                .contains("\"user\":\"https://example.com/users/foo\"")
                .contains("\"groups\":[\"a\",\"b\"]")
                .startsWith("{").endsWith("}"));
        assertThat(claims.expiresAt()).contains(NOW.plusSeconds(60));
    }

    @Test
    void payloadMayBeAnyJsonValue() throws Exception {
        JwtVerifier verifier = JwtVerifier.of("HS256", SECRET);
        assertThat(verifier.verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("payload", "just \"text\"")).build())).payload())
                .contains("\"just \\\"text\\\"\"");
        assertThat(verifier.verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("payload", List.of(1, true))).build())).payload())
                .contains("[1,true]");
        assertThat(verifier.verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("payload", Map.of("html", "<a href='x'>&é</a>")))
                .build())).payload())
                .contains("{\"html\":\"<a href='x'>&é</a>\"}");
    }

    @Test
    void namespacedClaimOfOldPublishersReplacesTheMercureClaim() throws Exception {
        // the reference hub reads "https://mercure.rocks/" instead of "mercure" when present
        MercureClaims claims = JwtVerifier.of("HS256", SECRET).verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("publish", List.of("a")))
                .claim("https://mercure.rocks/", Map.of("publish", List.of("b"), "subscribe", List.of("c")))
                .build()));
        assertThat(claims.publish()).contains(List.of("b"));
        assertThat(claims.subscribe()).contains(List.of("c"));
        MercureClaims only = JwtVerifier.of("HS256", SECRET).verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("https://mercure.rocks/", Map.of("subscribe", List.of("d"))).build()));
        assertThat(only.subscribe()).contains(List.of("d"));
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("https://mercure.rocks/", "x").build())))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void tokenWithoutMercureClaimGrantsNothing() throws Exception {
        MercureClaims claims = JwtVerifier.of("HS256", SECRET).verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .subject("x").build()));
        assertThat(claims.publish()).isEmpty();
        assertThat(claims.subscribe()).isEmpty();
        assertThat(claims.payload()).isEmpty();
        assertThat(claims.expiresAt()).isEmpty();
    }

    @Test
    void emptyListsStayEmptyNotAbsent() throws Exception {
        MercureClaims claims = JwtVerifier.of("HS256", SECRET).verify(hs256(SECRET, new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("publish", List.of(), "subscribe", List.of())).build()));
        assertThat(claims.publish()).contains(List.of());
        assertThat(claims.subscribe()).contains(List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"mercure\":\"publish\"}",
        "{\"mercure\":[\"*\"]}",
        "{\"mercure\":{\"publish\":\"*\"}}",
        "{\"mercure\":{\"publish\":[1]}}",
        "{\"mercure\":{\"publish\":[[\"*\"]]}}",
        "{\"mercure\":{\"publish\":[null]}}",
        "{\"mercure\":{\"subscribe\":{\"a\":\"*\"}}}",
        "{\"mercure\":{\"subscribe\":true}}",
        "{\"exp\":\"tomorrow\"}",
        "{\"nbf\":[1]}",
    })
    void mercureClaimOfTheWrongShapeIsRefused(String payloadJson) throws Exception {
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String payload = b64(payloadJson);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
        String token = header + "." + payload + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal((header + "." + payload).getBytes(UTF_8)));
        assertThatThrownBy(() -> JwtVerifier.of("HS256", SECRET).verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void nullMembersAreAbsent() throws Exception {
        String header = b64("{\"alg\":\"HS256\"}");
        String payload = b64("{\"mercure\":{\"publish\":null,\"subscribe\":[\"a\"],\"payload\":null}}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
        String token = header + "." + payload + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal((header + "." + payload).getBytes(UTF_8)));
        MercureClaims claims = JwtVerifier.of("HS256", SECRET).verify(token);
        assertThat(claims.publish()).isEmpty();
        assertThat(claims.subscribe()).contains(List.of("a"));
        assertThat(claims.payload()).isEmpty();
    }

    @Test
    void verifierIsSafeFromManyThreads() throws Exception {
        JwtVerifier verifier = JwtVerifier.of("RS256", pem(rsa.getPublic()));
        String good = sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, claims().build());
        String bad = sign(new RSASSASigner(otherRsa.getPrivate()), JWSAlgorithm.RS256, claims().build());
        Thread[] threads = new Thread[4];
        boolean[] ok = new boolean[threads.length];
        for (int i = 0; i < threads.length; i++) {
            int n = i;
            threads[i] = Thread.ofPlatform().start(() -> {
                boolean all = true;
                for (int k = 0; k < 50; k++) {
                    try {
                        all &= verifier.verify(good).publish().isPresent();
                    } catch (InvalidTokenException e) {
                        all = false;
                    }
                    try {
                        verifier.verify(bad);
                        all = false;
                    } catch (InvalidTokenException expected) {
                        // refused, as it must be
                    }
                }
                ok[n] = all;
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ok).containsOnly(true);
    }
}
