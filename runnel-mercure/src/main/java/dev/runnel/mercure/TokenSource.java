package dev.runnel.mercure;

/** Where a request presented its token, in the draft's order of precedence. */
public enum TokenSource {
    /** {@code Authorization: Bearer <token>}: the way for anything but a browser. */
    AUTHORIZATION_HEADER,
    /** The {@code authorization} query parameter: a successful answer must be {@code Cache-Control: private}. */
    QUERY_PARAMETER,
    /** The authorization cookie: a publish must come from an allowed {@code Origin} (or {@code Referer}). */
    COOKIE;

    /** Whether a 2xx answer to the request should carry {@code Cache-Control: private}. */
    public boolean needsPrivateCaching() {
        return this == QUERY_PARAMETER;
    }

    /** Whether a state-changing request (a publish) needs its {@code Origin} or {@code Referer} checked against CSRF. */
    public boolean needsOriginCheck() {
        return this == COOKIE;
    }
}
