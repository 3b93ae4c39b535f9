/**
 * A server-sent events client: {@link dev.runnel.client.EventSource} reads a
 * {@code text/event-stream} exactly as the WHATWG HTML standard says a browser does, reconnects
 * like one, and is consumed either through an {@link dev.runnel.client.EventSourceListener} or by
 * iterating it on a (virtual) thread. JDK only. {@link dev.runnel.client.Listen} is the
 * {@code runnel listen} command.
 */
package dev.runnel.client;
