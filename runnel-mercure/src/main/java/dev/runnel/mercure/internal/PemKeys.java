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
 * RSA or EC), an {@code RSA PUBLIC KEY} block (PKCS#1), or a {@code CERTIFICATE}, whose key is
 * taken as is (its dates and issuer are not checked). The forms the reference hub reads. JDK only.
 */
public final class PemKeys {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** {@code SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }}. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

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
            case "RSA PUBLIC KEY" -> pkcs1(der);
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

    /**
     * A PKCS#1 RSAPublicKey, read by wrapping it in the SubjectPublicKeyInfo the JDK reads:
     * {@code SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { 0 unused bits, key } }}.
     */
    private static PublicKey pkcs1(byte[] der) {
        byte[] bitString = concat(new byte[] {0x03}, length(der.length + 1), new byte[] {0x00}, der);
        byte[] body = concat(RSA_ALGORITHM, bitString);
        byte[] spki = concat(new byte[] {0x30}, length(body.length), body);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("The PEM RSA PUBLIC KEY is not a PKCS#1 RSA public key", e);
        }
    }

    /** A DER length: short form below 128, else the count of big-endian bytes, then the bytes. */
    private static byte[] length(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
        byte[] out = new byte[bytes + 1];
        out[0] = (byte) (0x80 | bytes);
        for (int i = bytes; i > 0; i--, n >>>= 8) {
            out[i] = (byte) n;
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] p : parts) {
            size += p.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
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
