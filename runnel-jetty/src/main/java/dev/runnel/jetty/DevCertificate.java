package dev.runnel.jetty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for development: HTTP/2 in browsers needs TLS, and a local server needs a
 * certificate for it. Made once with the JDK's own {@code keytool} and kept in a PKCS#12 file, so
 * the browser's exception for it survives restarts. Never use it in production.
 */
public final class DevCertificate {

    /** Password of the development key store. It protects nothing: the file is for localhost. */
    public static final String PASSWORD = "runnel-dev";

    private DevCertificate() {
    }

    /**
     * The key store at {@code file}, created first when missing, with a certificate for
     * {@code localhost} and {@code 127.0.0.1} valid for a year.
     *
     * @throws IOException when {@code keytool} is missing or fails; the message says which and why
     */
    public static Path loadOrCreate(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("cannot make a development certificate: " + keytool + " not found (it ships with the JDK)");
        }
        List<String> command = List.of(keytool.toString(), "-genkeypair", "-alias", "runnel-dev", "-keyalg", "EC",
                "-groupname", "secp256r1", "-validity", "365", "-dname", "CN=localhost, O=Runnel development",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:::1", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool could not make " + file + ": " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + file, e);
        }
        return file;
    }
}
