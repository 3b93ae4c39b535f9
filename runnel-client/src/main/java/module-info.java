/**
 * Runnel's server-sent events client, on the JDK's {@code HttpClient}. JDK only.
 *
 * <p>Exports {@code dev.runnel.client} only; {@code dev.runnel.client.internal} stays hidden.
 * {@code java.net.http} is required transitively: {@link dev.runnel.client.EventSourceOptions}
 * takes an {@code HttpClient}.
 */
module dev.runnel.client {
    requires transitive java.net.http;

    exports dev.runnel.client;
}
