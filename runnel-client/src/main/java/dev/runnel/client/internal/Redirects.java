package dev.runnel.client.internal;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a redirect leads, by the rules of the JDK client's {@code Redirect.NORMAL}: follow
 * {@code 301}, {@code 302}, {@code 303}, {@code 307} and {@code 308} to an {@code http} or
 * {@code https} URI, except from {@code https} to {@code http}. The source follows redirects itself
 * when the caller's client does not, so a stream is reached whatever the client's policy.
 */
final class Redirects {

    /** Hops followed from one request, as the JDK client's default. */
    static final int MAX_HOPS = 5;

    private static final Set<String> CREDENTIALS = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        CREDENTIALS.addAll(Set.of("Authorization", "Cookie", "Origin", "Referer"));
    }

    private Redirects() {
    }

    /** Same scheme and authority, as the JDK client decides whether a redirect keeps every header. */
    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
    }

    /** Headers not sent after a redirect to another origin. */
    static boolean isCredential(String headerName) {
        return CREDENTIALS.contains(headerName);
    }

    /** The URI to follow after {@code status} with {@code location} from {@code from}; empty when it is not followed. */
    static Optional<URI> target(URI from, int status, Optional<String> location) {
        if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) || location.isEmpty()) {
            return Optional.empty();
        }
        URI to;
        try {
            to = from.resolve(new URI(location.get().strip()));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        boolean downgrade = from.getScheme().equalsIgnoreCase("https") && scheme.equals("http");
        if (!(scheme.equals("http") || scheme.equals("https")) || to.getHost() == null || downgrade) {
            return Optional.empty();
        }
        return Optional.of(to);
    }
}
