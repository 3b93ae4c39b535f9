/**
 * Runnel's own deflate (RFC 1951) encoder in gzip (RFC 1952) framing, for compressed event streams:
 * {@link dev.runnel.internal.deflate.GzipCompressor} frames the stream and guards its lifecycle,
 * {@code DeflateEncoder} finds repeats in a window that lives as long as the connection,
 * {@code BlockWriter} picks stored, fixed or dynamic Huffman blocks, {@code Huffman} builds the
 * codes and {@code BitOutput} packs the bits. Every array is sized from the window.
 */
package dev.runnel.internal.deflate;
