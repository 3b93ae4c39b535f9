package dev.runnel.spring.boot;

import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends the streams of an HTTP session when the session ends: on logout (Spring Security invalidates
 * the session), when it expires, or when the application invalidates it. A stream belongs to the
 * session its request had when it opened ({@link RequestContexts#SESSION_ID}), under that id or
 * any id the session takes later (Spring Security changes it at login); streams of the same user in
 * other sessions go on.
 *
 * <p>A stream still being opened when its session ends is ended too: the ids of sessions that
 * ended recently are kept (for ten times the start gate's longest wait) for {@link #ended}, which the stream's handler
 * asks once the request's filters have returned, and a session's end that comes later still is
 * caught by {@link SseEngine#closeStreams}, which also ends streams still being opened.
 */
final class SessionStreams implements HttpSessionListener, HttpSessionIdListener {

    private static final System.Logger LOG = System.getLogger("dev.runnel.spring");


    private final SseEngine engine;
    /** How long an ended session's ids are remembered: far longer than a stream waits at the start gate. */
    private final long endedKeptNanos;
    /** A live session's current id, to the earlier ids of the same session that streams may carry. */
    private final Map<String, Set<String>> earlierIds = new ConcurrentHashMap<>();
    /** Ids of sessions that ended, to when they did (System.nanoTime). */
    private final Map<String, Long> endedIds = new ConcurrentHashMap<>();

    SessionStreams(SseEngine engine, java.time.Duration startWait) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.endedKeptNanos = Math.multiplyHigh(startWait.toNanos(), 10) != 0 ? Long.MAX_VALUE : startWait.toNanos() * 10;
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        String newId = event.getSession().getId();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ids.add(oldSessionId);
        Set<String> older = earlierIds.remove(oldSessionId);
        if (older != null) {
            ids.addAll(older);
        }
        earlierIds.merge(newId, ids, (a, b) -> {
            a.addAll(b);
            return a;
        });
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        String id = event.getSession().getId();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ids.add(id);
        Set<String> older = earlierIds.remove(id);
        if (older != null) {
            ids.addAll(older);
        }
        long now = System.nanoTime();
        endedIds.values().removeIf(at -> now - at > endedKeptNanos);
        ids.forEach(i -> endedIds.put(i, now)); // before closing, so a stream registered after closeStreams looked sees it
        int closed = engine.closeStreams(r -> ids.contains(sessionOf(r)));
        if (closed > 0) {
            LOG.log(Level.DEBUG, () -> "session ended: closed " + closed + " stream(s)");
        }
    }

    /** Whether the session {@code request} was opened in has ended since; false for a request without a session. */
    boolean ended(RequestContext request) {
        String id = sessionOf(request);
        return id != null && endedIds.containsKey(id);
    }

    /** Sessions whose earlier ids are kept; for tests. */
    int sessionsWithEarlierIds() {
        return earlierIds.size();
    }

    private static String sessionOf(RequestContext request) {
        return request.<String>attribute(RequestContexts.SESSION_ID).orElse(null);
    }
}
