package dev.runnel.internal;

/** Sizes the lifecycle uses where the application sets nothing. */
final class ServeDefaults {

    /** Values a source may run ahead of its client. */
    static final int QUEUE_CAPACITY = 64;
    /** Most values coalesced into one write. */
    static final int MAX_BATCH_VALUES = 64;
    /** Most bytes coalesced into one write; a single larger event is written on its own. */
    static final int MAX_BATCH_BYTES = 64 * 1024;

    private ServeDefaults() {
    }
}
