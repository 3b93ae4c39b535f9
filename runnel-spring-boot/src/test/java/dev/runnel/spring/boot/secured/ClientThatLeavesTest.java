package dev.runnel.spring.boot.secured;

import dev.runnel.SseEngine;
import dev.runnel.spring.boot.test.RunnelTest;
import dev.runnel.spring.boot.test.RunnelTestClient;
import dev.runnel.testkit.Await;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that leaves while its stream writes, with disconnects noticed by failing writes (no
 * socket watcher): Tomcat reports the broken connection to the async request, and the stream must
 * end there, without an error dispatch through Spring Security and Spring's error page onto a
 * committed response.
 */
@RunnelTest(classes = SecuredApp.class, properties = {"server.address=127.0.0.1", "runnel.watch-connections=false"})
class ClientThatLeavesTest {

    @Autowired
    RunnelTestClient runnel;
    @Autowired
    SseEngine engine;

    @Test
    void aClientThatLeavesMidWriteEndsItsStreamWithoutAnErrorDispatch() throws Exception {
        SecuredApp.DISPATCHES.clear();
        String auth = Base64.getEncoder().encodeToString("ada:ada-pw".getBytes(StandardCharsets.UTF_8));
        for (int round = 0; round < 5; round++) {
            try (Socket socket = new Socket(runnel.uri("/").getHost(), runnel.uri("/").getPort())) {
                socket.getOutputStream().write(("GET /sse/flood?from=leaves HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                        + "Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                assertThat(in.readNBytes(4096)).hasSize(4096);
                socket.setSoLinger(true, 0); // RST: the server's next write fails at once
            }
            Await.until(() -> engine.openStreams() == 0, "the stream to end", Duration.ofSeconds(10));
        }
        Thread.sleep(500); // an error page (an INCLUDE of /error on a committed response) follows the broken write within milliseconds
        // other tests' applications may still be finishing their streams: only this test's requests count
        assertThat(SecuredApp.DISPATCHES.stream().filter(d -> d.endsWith("?from=leaves")))
                .hasSize(5).containsOnly("REQUEST /sse/flood?from=leaves");
    }
}
