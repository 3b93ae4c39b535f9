/**
 * Content codings for event streams: the interface a coding implements ({@link
 * dev.runnel.compress.ContentCoding}) and one connection's compressor ({@link
 * dev.runnel.compress.StreamCompressor}). Every write batch ends with a flush that keeps the
 * compressor's window, so a compressed stream is as prompt as a plain one.
 */
package dev.runnel.compress;
