package dev.runnel.spring.boot;

import dev.runnel.SseEngine;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * Ends the streams of an HTTP session when the session ends: on logout (Spring Security invalidates
 * the session), when it expires, or when the application invalidates it. A stream belongs to the
 * session its request had when it opened ({@link RequestContexts#SESSION_ID}); streams of the same
 * user in other sessions go on.
 */
final class SessionStreams implements HttpSessionListener {

    private static final System.Logger LOG = System.getLogger("dev.runnel.spring");

    private final SseEngine engine;

    SessionStreams(SseEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        String id = event.getSession().getId();
        int closed = engine.closeStreams(r -> id.equals(r.attribute(RequestContexts.SESSION_ID).orElse(null)));
        if (closed > 0) {
            LOG.log(Level.DEBUG, () -> "session ended: closed " + closed + " stream(s)");
        }
    }
}
