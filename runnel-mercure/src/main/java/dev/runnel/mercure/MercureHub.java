package dev.runnel.mercure;

import dev.runnel.BadRequestException;
import dev.runnel.EventStream;
import dev.runnel.ForbiddenException;
import dev.runnel.RequestContext;
import dev.runnel.StreamOptions;
import dev.runnel.UnauthorizedException;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubUnavailableException;
import dev.runnel.hub.Published;
import dev.runnel.hub.Resumed;
import dev.runnel.hub.SubscribeRequest;
import dev.runnel.mercure.internal.ActiveSubscriptions;
import dev.runnel.mercure.internal.Authenticator;
import dev.runnel.mercure.internal.Authenticator.Authenticated;
import dev.runnel.mercure.internal.Draft0Authorization;
import dev.runnel.mercure.internal.Draft0Publication;
import dev.runnel.mercure.internal.FormFields;
import dev.runnel.mercure.internal.SubscriptionsApi;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Mercure hub (the protocol of the mercure 0.x line) on a Runnel {@link Hub}: publishing,
 * subscribing, authorization by JWS, reconnection and active subscriptions, written once and
 * independent of any server. A server adapter routes {@value #PATH} to it: {@code GET} to
 * {@link #subscribe}, {@code POST} to {@link #publish}, {@code OPTIONS} to {@link #preflight}, and
 * {@code GET} under {@value #PATH}{@code /subscriptions} to {@link #subscriptions}
 * ({@code dev.runnel.mercure.jetty.MercureRoutes} does it for {@code RunnelServer}).
 *
 * <pre>{@code
 * SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).build();
 * MercureHub mercure = MercureHub.of(engine.hub(), MercureOptions.builder().jwt("HS256", secret).build());
 * }</pre>
 *
 * <p>The hub must allow publishers' ids ({@code HubOptions.withPublisherIds(true)}): every update
 * carries its Mercure id (the publisher's, else a {@code urn:uuid:} made here), which is its SSE id
 * and what a reconnection resumes after. Thread-safe.
 */
public final class MercureHub {

    /** The hub's well-known path. */
    public static final String PATH = "/.well-known/mercure";

    /** The reserved {@code Last-Event-ID} asking for all the history, and answering that none precedes. */
    public static final String EARLIEST = "earliest";

    private static final String ALLOWED_HEADERS = "Authorization, Cache-Control, Content-Type, Last-Event-ID";

    private final Hub hub;
    private final MercureOptions options;
    private final Authenticator authenticator;
    private final AtomicReference<String> lastEventId = new AtomicReference<>(EARLIEST);
    private final ActiveSubscriptions subscriptions;
    private final SubscriptionsApi api;

    private MercureHub(Hub hub, MercureOptions options) {
        this.hub = hub;
        this.options = options;
        this.authenticator = new Authenticator(options.cookieName());
        this.subscriptions = options.subscriptions() ? new ActiveSubscriptions(hub, lastEventId::set) : null;
        // the hub's own (of every node, as far as this one read), else this hub's publishes
        this.api = subscriptions == null ? null : new SubscriptionsApi(subscriptions, () -> hub.lastEventId().orElseGet(lastEventId::get));
    }

    /**
     * A Mercure hub on {@code hub}.
     *
     * @throws IllegalArgumentException when the hub does not allow publishers' ids
     */
    public static MercureHub of(Hub hub, MercureOptions options) {
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(options, "options");
        if (!hub.options().publisherIds()) {
            throw new IllegalArgumentException("a Mercure hub needs a hub that allows publishers' ids: "
                    + "build the engine with .hub(HubOptions.DEFAULTS.withPublisherIds(true))");
        }
        return new MercureHub(hub, options);
    }

    /** This hub's options. */
    public MercureOptions options() {
        return options;
    }

    /**
     * Answers a publish: a form {@code POST} ({@code topic}, {@code data}, {@code private}, {@code id},
     * {@code type}, {@code retry}) with a publisher's token. {@code 200} with the update's id as
     * {@code text/plain}; {@code 400} for a malformed form, {@code 401} without a valid token (or
     * from a cookie without an allowed origin), {@code 403} when the token does not cover every topic
     * or a topic is in the hub's own paths (nothing is published then), {@code 503} when the hub's
     * log is down.
     */
    public MercureResponse publish(RequestContext request, byte[] body) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(body, "body");
        String origin = request.header("Origin").orElse(null);
        MercureResponse answer = publishing(request, body);
        if (MercureOptions.allows(options.publisherCorsOrigins(), origin)) {
            answer = answer.withHeader("Access-Control-Allow-Origin", origin)
                    .withHeader("Access-Control-Allow-Credentials", "true")
                    .withHeader("Vary", "Origin");
        }
        return answer;
    }

    private MercureResponse publishing(RequestContext request, byte[] body) {
        try {
            Optional<Authenticated> publisher = authenticator.authenticate(request, options.publisherJwt());
            if (publisher.isEmpty()) {
                throw new UnauthorizedException("a publisher must present a token");
            }
            if (publisher.get().source().needsOriginCheck() && !fromPublishOrigin(request)) {
                throw new UnauthorizedException("a publish authorized by the cookie must come from an allowed origin");
            }
            MercureClaims claims = publisher.get().claims();
            if (!Draft0Authorization.grantsPublishing(claims)) {
                throw new ForbiddenException("the token's mercure.publish is missing or empty");
            }
            if (!isForm(request)) {
                throw new BadRequestException("the body must be application/x-www-form-urlencoded");
            }
            Draft0Publication publication = Draft0Publication.read(FormFields.parse(body));
            if (publication.namesReservedTopic()) {
                throw new ForbiddenException("topics under " + PATH + " are the hub's own");
            }
            if (!Draft0Authorization.mayPublish(claims, publication.topics())) {
                throw new ForbiddenException("the token's mercure.publish does not cover every topic of the update");
            }
            Published published = hub.publish(request, publication.update());
            lastEventId.set(published.id());
            return MercureResponse.text(200, published.id());
        } catch (UnauthorizedException e) {
            return MercureResponse.text(401, e.getMessage() + "\n").withHeader("WWW-Authenticate", "Bearer");
        } catch (BadRequestException e) {
            return MercureResponse.text(400, e.getMessage() + "\n");
        } catch (ForbiddenException e) {
            return MercureResponse.text(403, e.getMessage() + "\n");
        } catch (HubUnavailableException e) {
            return MercureResponse.text(503, e.getMessage() + "\n").withHeader("Retry-After", "1");
        }
    }

    /**
     * Opens a subscription: {@code topic} query parameters (selectors: {@code *}, exact topics, URI
     * templates), a subscriber's token unless anonymous subscribers are served, resuming after the
     * {@code Last-Event-ID} header, else the {@code lastEventID} query parameter. The stream sends
     * updates and heartbeats only, and ends when the token expires.
     *
     * @throws BadRequestException without a topic, with too many, or with one too long (with active
     *     subscriptions on, also one whose subscription's topic, percent-encoded, would be too long)
     * @throws UnauthorizedException without a token where one is required, or with an invalid one
     * @throws HubUnavailableException when the hub cannot tell where to resume yet, or cannot
     *     announce the subscription
     */
    public EventStream subscribe(RequestContext request) {
        Objects.requireNonNull(request, "request");
        List<String> topics = List.copyOf(new LinkedHashSet<>(request.query().getOrDefault("topic", List.of())));
        if (topics.isEmpty()) {
            throw new BadRequestException("missing \"topic\": subscribe to at least one topic selector");
        }
        if (topics.size() > hub.options().maxSelectors()) {
            throw new BadRequestException("too many topic selectors: " + topics.size() + ", at most " + hub.options().maxSelectors());
        }
        for (String topic : topics) {
            if (!Hub.isValidUpdateTopic(topic, Hub.MAX_TOPIC_LENGTH)) {
                throw new BadRequestException("invalid topic selector: 1 to " + Hub.MAX_TOPIC_LENGTH
                        + " characters without control characters");
            }
            if (subscriptions != null && !ActiveSubscriptions.canAnnounce(topic)) {
                throw new BadRequestException("topic selector too long once percent-encoded for its subscription's topic: at most "
                        + Hub.MAX_SERVER_TOPIC_LENGTH + " characters");
            }
        }
        Optional<Authenticated> subscriber = authenticator.authenticate(request, options.subscriberJwt());
        if (subscriber.isEmpty() && !options.anonymous()) {
            throw new UnauthorizedException("a subscriber must present a token");
        }
        MercureClaims claims = subscriber.map(Authenticated::claims).orElse(MercureClaims.NONE);

        SubscribeRequest.Builder wanted = SubscribeRequest.builder()
                .privateSelectors(Draft0Authorization.privateSelectors(claims))
                .resetEvents(false);
        topics.forEach(t -> wanted.select(Draft0Authorization.hubSelector(t)));
        String requested = request.header("Last-Event-ID").map(MercureHub::fromUtf8Header)
                .orElse(request.query("lastEventID").orElse(null));
        if (EARLIEST.equals(requested)) {
            wanted.fromEarliest();
        } else {
            wanted.resumeAfter(requested);
        }
        EventStream.Subscribed stream = hub.subscribe(request, wanted.build());

        StreamOptions streamOptions = stream.options().withoutRetryEvent().withCompression(options.compression());
        if (requested != null) {
            // the id preceding the first event sent: the one asked for when found, else none ("earliest")
            streamOptions = streamOptions.withHeader("Last-Event-ID", stream.resumed() == Resumed.FOUND ? utf8Header(requested) : EARLIEST);
        }
        if (subscriber.isPresent() && subscriber.get().source().needsPrivateCaching()) {
            streamOptions = streamOptions.withHeader("Cache-Control", "no-cache, private");
        }
        String origin = request.header("Origin").orElse(null);
        if (MercureOptions.allows(options.corsOrigins(), origin)) {
            streamOptions = streamOptions.withAllowedOrigin(origin).withHeader("Access-Control-Allow-Credentials", "true");
        }
        if (claims.expiresAt().isPresent()) {
            // the verifier accepts the token until exp + its clock skew: ending at exp could end a stream at once
            streamOptions = streamOptions.withEndAt(claims.expiresAt().get().plus(options.subscriberJwt().clockSkew()));
        }
        EventStream.Subscribed served = (EventStream.Subscribed) stream.withOptions(streamOptions);
        if (subscriptions != null) {
            // last: once announced, only the stream's end unlists them
            List<ActiveSubscriptions.Subscription> started =
                    subscriptions.started(topics, ActiveSubscriptions.newSubscriber(), claims.payload().orElse(null));
            served.whenEnded(() -> subscriptions.ended(started));
        }
        return served;
    }

    /**
     * Answers the active subscriptions API ({@code GET} {@value #PATH}{@code /subscriptions},
     * {@code .../{topic}}, {@code .../{topic}/{subscriber}}): {@code application/ld+json} for a
     * subscriber whose {@code mercure.subscribe} matches the URL; {@code 401} for anyone else;
     * {@code 404} for an unknown subscription, or when active subscriptions are off; {@code 503} with
     * {@code Retry-After} when the list of a hub of several nodes cannot be read (Redis is down).
     *
     * @param request the request; its path as sent (percent-encoding kept) is read from the
     *     {@link RequestContext#RAW_PATH} attribute, else its path
     */
    public MercureResponse subscriptions(RequestContext request) {
        Objects.requireNonNull(request, "request");
        MercureResponse answer;
        if (api == null) {
            answer = MercureResponse.text(404, "active subscriptions are not enabled on this hub\n");
        } else {
            String path = request.<String>attribute(RequestContext.RAW_PATH).orElse(request.path());
            try {
                Optional<Authenticated> reader = authenticator.authenticate(request, options.subscriberJwt());
                if (reader.isEmpty() || !Draft0Authorization.mayRead(reader.get().claims(), path)) {
                    throw new UnauthorizedException("the token's mercure.subscribe does not match " + path);
                }
                answer = api.answer(path);
                if (answer.status() == 200 && reader.get().source().needsPrivateCaching()) {
                    answer = answer.withHeader("Cache-Control", "private, must-revalidate");
                }
            } catch (UnauthorizedException e) {
                answer = MercureResponse.text(401, e.getMessage() + "\n").withHeader("WWW-Authenticate", "Bearer");
            } catch (BadRequestException e) {
                answer = MercureResponse.text(400, e.getMessage() + "\n");
            } catch (HubUnavailableException e) {
                answer = MercureResponse.text(503, e.getMessage() + "\n").withHeader("Retry-After", "1");
            }
        }
        String origin = request.header("Origin").orElse(null);
        if (MercureOptions.allows(options.corsOrigins(), origin)) {
            answer = answer.withHeader("Access-Control-Allow-Origin", origin)
                    .withHeader("Access-Control-Allow-Credentials", "true")
                    .withHeader("Vary", "Origin");
        }
        return answer;
    }

    /**
     * Answers a CORS preflight ({@code OPTIONS}): {@code GET} for the subscribers' origins,
     * {@code POST} for the publishers', both with credentials; {@code 403} for any other origin.
     */
    public MercureResponse preflight(RequestContext request) {
        String origin = request.header("Origin").orElse(null);
        boolean subscribing = MercureOptions.allows(options.corsOrigins(), origin);
        boolean publishing = MercureOptions.allows(options.publisherCorsOrigins(), origin);
        if (!subscribing && !publishing) {
            return MercureResponse.text(403, "cross-origin requests from "
                    + (origin == null ? "an unknown origin" : clip(origin)) + " are not allowed\n");
        }
        String methods = subscribing && publishing ? "GET, POST" : subscribing ? "GET" : "POST";
        return new MercureResponse(204, null, null, null)
                .withHeader("Access-Control-Allow-Origin", origin)
                .withHeader("Access-Control-Allow-Credentials", "true")
                .withHeader("Access-Control-Allow-Methods", methods)
                .withHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                .withHeader("Access-Control-Max-Age", "600")
                .withHeader("Vary", "Origin");
    }

    /** Whether the request comes from a publish origin, by its {@code Origin}, else its {@code Referer}. */
    private boolean fromPublishOrigin(RequestContext request) {
        String origin = request.header("Origin").orElse(null);
        if (origin == null) {
            origin = request.header("Referer").map(MercureHub::originOf).orElse(null);
        }
        return origin != null && !origin.equals("null") && MercureOptions.allows(options.publishOrigins(), origin);
    }

    /** {@code scheme://host[:port]} of a URL, or {@code null} when it has none. */
    private static String originOf(String url) {
        try {
            java.net.URI uri = new java.net.URI(url);
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return null;
            }
            return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /**
     * {@code value} as its UTF-8 bytes, one char each: servers write a header's chars as single bytes
     * (ISO-8859-1, dropping the others), and the header must carry the id's bytes as its SSE {@code id}
     * line does.
     */
    private static String utf8Header(String value) {
        return new String(value.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * A header value read as one char per byte, decoded as UTF-8 when its bytes are UTF-8 (a browser
     * sends its last event id so); otherwise as it is.
     */
    private static String fromUtf8Header(String value) {
        if (value.chars().allMatch(c -> c < 0x80) || value.chars().anyMatch(c -> c > 0xFF)) {
            return value;
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return value;
        }
    }

    private static boolean isForm(RequestContext request) {
        String type = request.header("Content-Type").orElse("");
        int parameters = type.indexOf(';');
        // parameters (a charset) may follow, with whitespace around the ';'
        return (parameters < 0 ? type : type.substring(0, parameters)).strip().equalsIgnoreCase("application/x-www-form-urlencoded");
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
