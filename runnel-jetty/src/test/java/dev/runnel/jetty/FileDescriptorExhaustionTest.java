package dev.runnel.jetty;

import dev.runnel.testkit.RawSseClient;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Running out of file descriptors is not fatal: once descriptors are free again, the server accepts
 * and serves as before. The server runs in a child JVM whose descriptor limit is 256.
 */
class FileDescriptorExhaustionTest {

    @Test
    void theServerServesAgainOnceDescriptorsAreFree() throws Exception {
        Path log = Files.createTempFile("runnel-fd-server", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n 256 && exec '" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
                + FdExhaustionServer.class.getName();
        Process server = new ProcessBuilder("bash", "-c", command).redirectError(log.toFile()).start();
        List<RawSseClient> clients = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("server start; its log: " + Files.readString(log)).startsWith("PORT ");
            URI uri = URI.create("http://127.0.0.1:" + line.substring(5) + "/s");

            int served = 0;
            boolean exhausted = false;
            for (int i = 0; i < 400 && !exhausted; i++) {
                // the first stream of a JVM just started may take long on a busy machine (class loading,
                // JIT); after it, a stream that does not open within 5 s means the descriptors ran out
                Duration patience = served == 0 ? Duration.ofSeconds(30) : Duration.ofSeconds(5);
                try {
                    RawSseClient client = RawSseClient.request("GET", uri, Map.of(), patience);
                    clients.add(client);
                    client.awaitText("data: open\n\n", patience);
                    served++;
                } catch (IOException | AssertionError e) {
                    exhausted = true; // accepted by the kernel, but the server had no descriptor for it
                }
            }
            assertThat(exhausted).as("the server ran out of descriptors after " + served + " streams").isTrue();
            assertThat(served).isGreaterThan(50);
            long logDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.readString(log).contains("Too many open files") && System.nanoTime() < logDeadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).as("the server saw EMFILE").contains("Too many open files");

            for (RawSseClient client : clients) {
                client.close();
            }
            clients.clear();

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String body = null;
            while (body == null && System.nanoTime() < deadline) {
                try (RawSseClient again = RawSseClient.request("GET", uri, Map.of(), Duration.ofSeconds(2))) {
                    body = again.awaitText("data: open\n\n", Duration.ofSeconds(2));
                } catch (IOException | AssertionError e) {
                    Thread.sleep(200); // the acceptor backs off after a failed accept
                }
            }
            assertThat(body).as("served again after the descriptors were freed; server log:\n" + tail(log)).isEqualTo("data: open\n\n");
            assertThat(server.isAlive()).isTrue();
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
            server.getOutputStream().close();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.readString(log);
        return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
    }
}
