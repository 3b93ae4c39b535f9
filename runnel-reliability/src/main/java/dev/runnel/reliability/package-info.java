/**
 * Reliability tools: {@link dev.runnel.reliability.Soak}, the long run behind {@code ./runnel soak}
 * (churning clients that check every event arrives exactly once and in order, and the server's
 * resident memory over time). The fuzz tests of the encoder and the client's parser live in this
 * module's tests ({@code ./runnel fuzz}).
 */
package dev.runnel.reliability;
