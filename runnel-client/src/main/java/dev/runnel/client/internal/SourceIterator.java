package dev.runnel.client.internal;

import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The events of an iterated source, read on the iterating thread. Running out closes the source;
 * anything unexpected thrown while reading ends it as failed and lets its connection go before the
 * caller sees the exception.
 */
final class SourceIterator implements Iterator<MessageEvent> {

    private static final System.Logger LOG = System.getLogger(RealEventSource.class.getName());

    private final RealEventSource source;
    private MessageEvent event;

    SourceIterator(RealEventSource source) {
        this.source = source;
    }

    @Override
    public boolean hasNext() {
        while (event == null) {
            Object signal = nextOrEnd();
            if (signal == null) {
                source.close(); // the natural idiom never closes: ending is enough
                return false;
            }
            if (signal instanceof MessageEvent e) {
                event = e;
            } else if (signal instanceof RealEventSource.IdNotSent n) {
                LOG.log(System.Logger.Level.WARNING, "reconnecting to {0} without Last-Event-ID: the id {1}"
                        + " cannot be sent exactly by the JDK HttpClient", source.uri(), LastEventIds.quoted(n.id()));
            }
        }
        return true;
    }

    @Override
    public MessageEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the source has ended: "
                    + source.end().map(StreamEnd::reason).orElse("closed"));
        }
        MessageEvent e = event;
        event = null;
        return e;
    }

    /** The next signal, or null at the end; whatever reading throws ends the source and releases it first. */
    private Object nextOrEnd() {
        try {
            return source.nextSignal();
        } catch (Throwable t) {
            try {
                source.fail(t);
                source.close();
            } catch (Throwable u) {
                t.addSuppressed(u);
            }
            throw t;
        }
    }
}
