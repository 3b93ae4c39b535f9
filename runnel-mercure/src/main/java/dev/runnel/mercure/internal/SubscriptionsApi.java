package dev.runnel.mercure.internal;

import dev.runnel.BadRequestException;
import dev.runnel.mercure.MercureResponse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The draft's subscription API: the collection of active subscriptions, those of one topic
 * selector, and one subscription, as JSON-LD, each with the hub's last event id.
 */
public final class SubscriptionsApi {

    private static final String JSON_LD = "application/ld+json";

    private final ActiveSubscriptions subscriptions;
    private final Supplier<String> lastEventId;

    public SubscriptionsApi(ActiveSubscriptions subscriptions, Supplier<String> lastEventId) {
        this.subscriptions = subscriptions;
        this.lastEventId = lastEventId;
    }

    /**
     * The answer for {@code path}, percent-encoding kept, authorization already checked.
     *
     * @throws BadRequestException for a malformed percent-encoding
     */
    public MercureResponse answer(String path) {
        String rest = path.substring(Math.min(path.length(), ActiveSubscriptions.PATH.length()));
        if (!path.startsWith(ActiveSubscriptions.PATH) || !rest.isEmpty() && !rest.startsWith("/")) {
            return notFound();
        }
        String last = JsonText.quote(lastEventId.get());
        String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
        if (parts.length > 2 || List.of(parts).contains("")) {
            return notFound();
        }
        if (parts.length == 2) {
            String id = ActiveSubscriptions.topicOf(decode(parts[0]), decode(parts[1]));
            Optional<ActiveSubscriptions.Subscription> found = subscriptions.find(id);
            return found.map(s -> json(s.document(true, true, "\"lastEventID\":" + last))).orElseGet(SubscriptionsApi::notFound);
        }
        String topic = parts.length == 1 ? decode(parts[0]) : null;
        String list = subscriptions.list(topic).stream()
                .map(s -> s.document(true, false, null))
                .collect(Collectors.joining(",", "[", "]"));
        return json("{\"@context\":\"https://mercure.rocks/\",\"id\":" + JsonText.quote(path)
                + ",\"type\":\"Subscriptions\",\"lastEventID\":" + last + ",\"subscriptions\":" + list + "}");
    }

    private static MercureResponse json(String body) {
        return new MercureResponse(200, JSON_LD, body, null).withHeader("Cache-Control", "must-revalidate");
    }

    private static MercureResponse notFound() {
        return MercureResponse.text(404, "no such subscription\n");
    }

    /** Percent-decodes one path segment as UTF-8 ({@code +} stays itself). */
    static String decode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new BadRequestException("malformed percent-encoding in the path");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("the path is not UTF-8 once decoded");
        }
    }
}
