package dev.runnel.example;

import dev.runnel.RequestContext;
import dev.runnel.hub.TopicAccess;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The demo's access rule: anyone may subscribe; when a token is configured, publishing needs
 * {@code Authorization: Bearer TOKEN}.
 */
final class PublishToken implements TopicAccess {

    private final byte[] expected;

    PublishToken(String token) {
        this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean mayPublish(RequestContext request, String topic) {
        if (expected == null) {
            return true;
        }
        byte[] given = request.header("Authorization").orElse("").getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given); // constant time
    }
}
