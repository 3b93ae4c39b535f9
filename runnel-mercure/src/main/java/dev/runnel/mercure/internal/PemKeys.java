package dev.runnel.mercure.internal;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the public key of a PEM text: a {@code PUBLIC KEY} block (X.509 SubjectPublicKeyInfo,
 * RSA or EC) or a {@code CERTIFICATE}, whose key is taken as is (its dates and issuer are not
 * checked). JDK only.
 */
public final class PemKeys {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private PemKeys() {}

    /**
     * The public key in {@code pem}.
     *
     * @throws IllegalArgumentException if {@code pem} holds no public key or certificate, saying
     *     what it found instead
     */
    public static PublicKey publicKey(String pem) {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(
                    "Expected a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate (-----BEGIN CERTIFICATE-----)");
        }
        String label = m.group(1);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The PEM " + label + " block is not valid base64", e);
        }
        return switch (label) {
            case "PUBLIC KEY" -> subjectPublicKeyInfo(der);
            case "CERTIFICATE" -> certificate(der);
            case "RSA PUBLIC KEY" -> throw new IllegalArgumentException(
                    "A PKCS#1 RSA PUBLIC KEY is not supported; convert it to -----BEGIN PUBLIC KEY----- with "
                            + "`openssl rsa -RSAPublicKey_in -in key.pem -pubout`");
            default -> throw new IllegalArgumentException(label.contains("PRIVATE")
                    ? "This PEM is a private key (" + label + "); configure the public key (-----BEGIN PUBLIC KEY-----)"
                    : "Unsupported PEM block " + label + "; expected -----BEGIN PUBLIC KEY----- or a certificate");
        };
    }

    private static PublicKey subjectPublicKeyInfo(byte[] der) {
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException notThisType) {
                // try the next type
            }
        }
        throw new IllegalArgumentException("The PEM PUBLIC KEY is neither an RSA nor an EC key");
    }

    private static PublicKey certificate(byte[] der) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
        } catch (CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("The PEM CERTIFICATE could not be read: " + e.getMessage(), e);
        }
    }
}
