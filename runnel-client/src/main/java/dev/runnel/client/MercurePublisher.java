package dev.runnel.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Publishes updates to a Mercure hub (Runnel's or any other that speaks the protocol) with the JDK's
 * {@code HttpClient}: one form {@code POST} per update, authorized by a JWT from the token supplier
 * (asked for each publish, so it may renew tokens).
 *
 * <pre>{@code
 * MercurePublisher publisher = MercurePublisher.builder(URI.create("https://example.com/.well-known/mercure"))
 *         .token(() -> jwtWithMercurePublishClaim)
 *         .build();
 * String id = publisher.publish(MercureUpdate.of("https://example.com/books/1", "{\"title\":\"Dune\"}"));
 * }</pre>
 *
 * <p>Thread-safe. A refused publish throws {@link MercurePublishException} with the hub's status; a hub
 * that does not answer within the timeout (10 s by default) fails with an {@link HttpTimeoutException};
 * redirects are not followed (a publish is never sent twice). The hub's answer is read up to
 * {@value #MAX_ANSWER_BYTES} bytes.
 */
public final class MercurePublisher {

    /** Most bytes of a hub's answer read: an id, or an error line. */
    public static final int MAX_ANSWER_BYTES = 16 * 1024;

    private final URI hub;
    private final Supplier<String> token;
    private final HttpClient client;
    private final Duration timeout;

    private MercurePublisher(Builder b) {
        this.hub = b.hub;
        this.token = b.token;
        this.client = b.client != null ? b.client
                : HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = b.timeout;
    }

    public static Builder builder(URI hub) {
        return new Builder(hub);
    }

    /**
     * Publishes {@code update} and returns its id (the one it carried, or the hub's).
     *
     * @throws MercurePublishException when the hub refuses it
     * @throws HttpTimeoutException when the hub has not answered in full within the timeout
     * @throws IOException when the hub cannot be reached
     */
    public String publish(MercureUpdate update) throws IOException, InterruptedException {
        CompletableFuture<String> sent = publishAsync(update);
        try {
            return sent.get();
        } catch (InterruptedException e) {
            sent.cancel(true);
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /**
     * {@link #publish}, without blocking: the future fails with the same exceptions. The whole publish,
     * answer included, is bounded by the timeout: a hub that stalls mid-answer is given up on.
     */
    public CompletableFuture<String> publishAsync(MercureUpdate update) {
        HttpRequest request;
        try {
            request = request(update);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request,
                info -> new LimitedBody(MAX_ANSWER_BYTES + 1));
        CompletableFuture<String> result = new CompletableFuture<>();
        exchange.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof java.util.concurrent.TimeoutException) {
                    exchange.cancel(true); // give the connection up too
                    cause = new HttpTimeoutException("the Mercure hub did not answer in full within " + timeout);
                }
                result.completeExceptionally(cause);
                return;
            }
            try {
                result.complete(answer(response.statusCode(), response.body()));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private HttpRequest request(MercureUpdate update) {
        String jwt;
        try {
            jwt = token.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the token supplier failed; nothing was published: " + e.getMessage(), e);
        }
        if (jwt == null || jwt.isBlank() || jwt.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalStateException("the token supplier gave no usable JWT (empty, or with spaces or control characters); nothing was published");
        }
        return HttpRequest.newBuilder(hub)
                .timeout(timeout)
                .header("Authorization", "Bearer " + jwt)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(update), StandardCharsets.UTF_8))
                .build();
    }

    /** The update as the draft's form fields, UTF-8, percent-encoded. */
    static String form(MercureUpdate update) {
        StringBuilder b = new StringBuilder();
        for (String topic : update.topics()) {
            field(b, "topic", topic);
        }
        field(b, "data", update.data());
        if (update.id() != null) {
            field(b, "id", update.id());
        }
        if (update.type() != null) {
            field(b, "type", update.type());
        }
        if (update.retry() != null) {
            field(b, "retry", Long.toString(update.retry()));
        }
        if (update.isPrivate()) {
            field(b, "private", "on");
        }
        return b.toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        if (!b.isEmpty()) {
            b.append('&');
        }
        b.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private static String answer(int status, byte[] bytes) throws IOException {
        if (bytes.length > MAX_ANSWER_BYTES && status / 100 == 2) {
            throw new IOException("the Mercure hub answered with more than " + MAX_ANSWER_BYTES + " bytes; expected the update's id");
        }
        String body = new String(bytes, 0, Math.min(bytes.length, MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
        if (status / 100 != 2) {
            throw new MercurePublishException(status, body);
        }
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString().strip();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException("the Mercure hub accepted the publish but its answer is not UTF-8 text (status " + status + ")");
        }
        if (id.isEmpty()) {
            throw new IOException("the Mercure hub accepted the publish but answered with no id (status " + status + ")");
        }
        if (id.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            // no event id can hold these: it is not the id the hub sends its subscribers
            throw new IOException("the Mercure hub accepted the publish but its answer is not one id (status " + status + ")");
        }
        return id;
    }

    /** Collects at most {@code limit} bytes of an answer, then stops reading it. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private java.util.concurrent.Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(java.util.List<java.nio.ByteBuffer> buffers) {
            for (java.nio.ByteBuffer b : buffers) {
                int take = Math.min(b.remaining(), limit - out.size());
                byte[] chunk = new byte[take];
                b.get(chunk);
                out.write(chunk, 0, take);
            }
            if (out.size() >= limit && done.complete(out.toByteArray())) {
                subscription.cancel();
            }
        }

        @Override
        public void onError(Throwable failure) {
            done.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            done.complete(out.toByteArray());
        }
    }

    /** Builds a {@link MercurePublisher}. */
    public static final class Builder {
        private final URI hub;
        private Supplier<String> token;
        private HttpClient client;
        private Duration timeout = Duration.ofSeconds(10);

        private Builder(URI hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
            if (!"http".equalsIgnoreCase(hub.getScheme()) && !"https".equalsIgnoreCase(hub.getScheme())) {
                throw new IllegalArgumentException("the hub's URL must be http or https, got " + hub);
            }
        }

        /** Where each publish's JWT comes from (asked every time); required. */
        public Builder token(Supplier<String> jwt) {
            this.token = Objects.requireNonNull(jwt, "token");
            return this;
        }

        /** The client to send with (its redirect policy is yours); default: one of the publisher's own that follows none. */
        public Builder httpClient(HttpClient httpClient) {
            this.client = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /** How long one publish may take, connection and answer; default 10 s. */
        public Builder timeout(Duration perPublish) {
            if (perPublish == null || perPublish.isNegative() || perPublish.isZero()) {
                throw new IllegalArgumentException("timeout must be more than 0, got " + perPublish);
            }
            this.timeout = perPublish;
            return this;
        }

        public MercurePublisher build() {
            if (token == null) {
                throw new IllegalStateException("a Mercure publisher needs a token: builder(...).token(() -> jwt)");
            }
            return new MercurePublisher(this);
        }
    }
}
