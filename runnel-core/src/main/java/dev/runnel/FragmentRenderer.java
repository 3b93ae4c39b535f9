package dev.runnel;

/**
 * Renders one block of a template to HTML. Implemented by {@code runnel-pebble}; any template
 * engine that can render a named block can implement it.
 *
 * <p>Implementations must be thread-safe: many streams render at once.
 */
@FunctionalInterface
public interface FragmentRenderer {

    /**
     * Renders {@code fragment.block()} of {@code fragment.template()} with {@code fragment.context()}.
     *
     * @return the HTML, not yet stripped
     * @throws Exception when the template or block does not exist or the render fails; a missing block
     *     should name the template, the block and the blocks that exist
     */
    String render(Fragment fragment) throws Exception;
}
