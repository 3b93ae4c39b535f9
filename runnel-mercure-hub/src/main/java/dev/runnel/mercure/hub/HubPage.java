package dev.runnel.mercure.hub;

import dev.runnel.RequestContext;
import dev.runnel.mercure.MercureHub;

/**
 * The page at {@code /}: what this server is and how it is set up; for a request from this machine
 * (loopback), also a live debug view: subscribe to a selector with the browser's own
 * {@code EventSource}, publish an update with a token pasted in, and see both. Nothing is loaded from
 * elsewhere: the page's script is inline.
 */
final class HubPage {

    private final String settings;

    HubPage(HubSettings s) {
        this.settings = "<ul>"
                + item("history", s.history() + " updates kept for reconnecting subscribers")
                + item("nodes", s.redis() != null ? "on Redis (" + s.redis().getHost() + ":" + s.redis().getPort() + "): several hubs share subscribers" : "one node, in memory")
                + item("anonymous subscribers", s.anonymous() ? "allowed (public updates only)" : "refused: a token is needed")
                + item("active subscriptions", s.subscriptions() ? "announced, and listed at " + MercureHub.PATH + "/subscriptions" : "off")
                + item("publisher tokens", s.publisherAlgorithm().name())
                + item("subscriber tokens", s.subscriberAlgorithm().name())
                + item("authorization cookie", s.cookieName())
                + "</ul>";
    }

    private static String item(String name, String value) {
        return "<li><b>" + escape(name) + "</b>: " + escape(value) + "</li>";
    }

    /** The page for {@code request}: with the debug view only when it comes from loopback. */
    String render(RequestContext request) {
        boolean local = request.remoteAddress() != null && request.remoteAddress().getAddress() != null
                && request.remoteAddress().getAddress().isLoopbackAddress();
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Runnel Mercure hub</title>
                <style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
                code,pre,input,textarea{font:13px ui-monospace,monospace}input,textarea{width:100%%;box-sizing:border-box}
                pre{background:#f4f4f4;padding:.5rem;min-height:6rem;max-height:20rem;overflow:auto}fieldset{margin:1rem 0}</style>
                </head><body>
                <h1>Runnel Mercure hub</h1>
                <p>A hub of the <a href="https://mercure.rocks/spec">Mercure protocol</a> (draft 0.x): publishers POST updates to
                <code>%s</code> with a JWT, browsers subscribe there with <code>EventSource</code>.</p>
                %s
                %s
                </body></html>
                """.formatted(MercureHub.PATH, settings, local ? DEBUG_VIEW : "<p>The debug view is shown to requests from this machine only.</p>");
    }

    private static final String DEBUG_VIEW = """
            <h2>Debug view</h2>
            <fieldset><legend>Subscribe</legend>
            <label>Topic selector (<code>*</code>, a topic, or a URI template) <input id="sel" value="*"></label>
            <label>Subscriber JWT (empty: anonymous) <input id="subjwt"></label>
            <button id="sub">Subscribe</button> <button id="unsub">Close</button>
            <pre id="events"></pre></fieldset>
            <fieldset><legend>Publish</legend>
            <label>Topic <input id="topic" value="https://example.com/demo"></label>
            <label>Data <textarea id="data" rows="3">hello</textarea></label>
            <label><input type="checkbox" id="private" style="width:auto"> private</label>
            <label>Publisher JWT <input id="pubjwt"></label>
            <button id="pub">Publish</button>
            <pre id="published"></pre></fieldset>
            <script>
            const hub = location.origin + '%s';
            let source = null;
            const log = (id, text) => { const pre = document.getElementById(id); pre.textContent = text + '\\n' + pre.textContent; };
            document.getElementById('sub').onclick = () => {
              if (source) source.close();
              const url = new URL(hub);
              url.searchParams.append('topic', document.getElementById('sel').value);
              const jwt = document.getElementById('subjwt').value.trim();
              if (jwt) url.searchParams.append('authorization', jwt);
              source = new EventSource(url);
              source.onopen = () => log('events', '(connected)');
              source.onerror = () => log('events', '(error or reconnecting)');
              source.onmessage = e => log('events', (e.lastEventId || '') + ' ' + e.data);
            };
            document.getElementById('unsub').onclick = () => { if (source) { source.close(); source = null; log('events', '(closed)'); } };
            document.getElementById('pub').onclick = async () => {
              const body = new URLSearchParams();
              body.append('topic', document.getElementById('topic').value);
              body.append('data', document.getElementById('data').value);
              if (document.getElementById('private').checked) body.append('private', 'on');
              const answer = await fetch(hub, { method: 'POST', body,
                headers: { 'Authorization': 'Bearer ' + document.getElementById('pubjwt').value.trim() } });
              log('published', answer.status + ' ' + await answer.text());
            };
            </script>
            """.formatted(MercureHub.PATH);

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
