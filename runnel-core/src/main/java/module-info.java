/**
 * Runnel core: the wire format, the per-connection lifecycle, the hub and the transport
 * interface. JDK only.
 *
 * <p>Exports the API packages only: {@code dev.runnel}, {@code dev.runnel.hub},
 * {@code dev.runnel.transport} and {@code dev.runnel.compress}. {@code dev.runnel.internal} stays hidden: on the module path no
 * other module can use it.
 */
module dev.runnel.core {
    // Admissions reads the process's file descriptor limit (com.sun.management)
    requires java.management;
    requires jdk.management;
    // the lifecycle's flight recorder events
    requires jdk.jfr;

    exports dev.runnel;
    exports dev.runnel.hub;
    exports dev.runnel.transport;
    exports dev.runnel.compress;

    // content codings beyond the built-in gzip (runnel-zstd, ...)
    uses dev.runnel.compress.ContentCoding;
}
