package dev.runnel.mercure;

/** Stub. */
public final class UriTemplate {
    public static UriTemplate parse(String template) {
        return new UriTemplate();
    }

    public boolean matches(String uri) {
        return false;
    }
}
