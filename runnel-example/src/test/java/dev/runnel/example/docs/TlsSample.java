package dev.runnel.example.docs;

import dev.runnel.jetty.RunnelServer;

import java.nio.file.Path;

/** The sample of docs/HTTP2-AND-DIALECTS.md: the embedded server with TLS. Compiled, not started. */
final class TlsSample {

    private TlsSample() {
    }

    static void tls(String password) {
        // docs:begin tls
        RunnelServer.builder().tls(Path.of("server.p12"), password).build();   // PKCS#12 key store
        // docs:end tls
    }
}
