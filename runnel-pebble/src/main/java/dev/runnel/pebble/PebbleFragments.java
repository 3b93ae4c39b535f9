package dev.runnel.pebble;

import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.RenderException;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.pebbletemplates.pebble.template.PebbleTemplateImpl;

import java.io.IOException;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Objects;

/**
 * Renders a {@link Fragment}'s block with Pebble: {@code fragment.block()} of
 * {@code fragment.template()}, with {@code fragment.context()} as the variables. Blocks inherited
 * through {@code {% extends %}} render too, with the child's overrides applied.
 *
 * <pre>{@code
 * FragmentRenderer fragments = PebbleFragments.classpath();   // templates/<name>.peb
 * }</pre>
 *
 * <p>Thread-safe: one instance serves every stream. Each template is compiled once and then taken
 * from Pebble's cache, unless the engine has caching off (see {@link #classpath(String, boolean)}).
 *
 * <p>{@link #render} returns the HTML as Pebble wrote it; stripping it and refusing an empty result
 * is the core formatter's job. Every failure is a {@link RenderException}:
 * <ul>
 *   <li>the template cannot be loaded: the message names the template;</li>
 *   <li>the block exists neither in the template nor in a parent it extends: the message names the
 *       template, the block and the blocks that do exist;</li>
 *   <li>any other Pebble error (syntax, a missing parent, strict variables, ...): the message names
 *       the template and block and carries Pebble's message, which has the file and line; the
 *       Pebble exception is the cause.</li>
 * </ul>
 */
public final class PebbleFragments implements FragmentRenderer {

    /** Where {@link #classpath()} looks for templates. */
    public static final String DEFAULT_PREFIX = "templates";

    /** The file suffix the classpath factories add to a template name that lacks it. */
    public static final String SUFFIX = ".peb";

    private final PebbleEngine engine;

    /** Renders with an engine configured by the caller; template names are whatever its loader takes. */
    public PebbleFragments(PebbleEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine must not be null");
    }

    /**
     * Templates from {@code templates/} on the classpath: {@code "home"} and {@code "home.peb"} both
     * load {@code templates/home.peb}. Cached, HTML autoescaping on.
     */
    public static PebbleFragments classpath() {
        return classpath(DEFAULT_PREFIX, true);
    }

    /**
     * Templates under the classpath folder {@code prefix}: {@code "home"} and {@code "home.peb"} both
     * load {@code <prefix>/home.peb}, and {@code "cards/item"} loads {@code <prefix>/cards/item.peb}.
     * Cached, HTML autoescaping on.
     *
     * @param prefix classpath folder, such as {@code "templates"}; {@code ""} means the classpath root
     */
    public static PebbleFragments classpath(String prefix) {
        return classpath(prefix, true);
    }

    /**
     * As {@link #classpath(String)}, with the template cache switchable: pass {@code false} in
     * development so edited templates are re-read on every render.
     */
    public static PebbleFragments classpath(String prefix, boolean cache) {
        return new PebbleFragments(new PebbleEngine.Builder()
                .loader(new PebClasspathLoader(prefix))
                .cacheActive(cache)
                .autoEscaping(true)
                .build());
    }

    /** The Pebble engine, for rendering whole pages with the same templates and settings. */
    public PebbleEngine engine() {
        return engine;
    }

    /**
     * Renders the fragment's block.
     *
     * @return the HTML, unstripped
     * @throws RenderException when the template or block does not exist or Pebble fails
     */
    @Override
    public String render(Fragment fragment) {
        PebbleTemplate template = load(fragment.template());
        StringWriter out = new StringWriter();
        try {
            // A mutable copy: Fragment's context is immutable, and evaluateBlock makes the caller's map
            // the top scope, where {% set %} writes.
            template.evaluateBlock(fragment.block(), out, new HashMap<>(fragment.context()));
        } catch (PebbleException | IOException e) {
            throw new RenderException("cannot render block \"" + fragment.block() + "\" of template \""
                    + fragment.template() + "\": " + e.getMessage(), e);
        }
        String html = out.toString();
        // Pebble renders a missing block as nothing, so only an empty render needs the (slower)
        // look-up of which blocks exist; an existing block that renders empty is returned as is.
        if (html.isEmpty() && template instanceof PebbleTemplateImpl impl) {
            BlockInventory blocks = BlockInventory.of(engine, impl);
            if (!blocks.contains(fragment.block())) {
                throw new RenderException(blocks.describeMissing(fragment.template(), fragment.block()));
            }
        }
        return html;
    }

    private PebbleTemplate load(String name) {
        try {
            return engine.getTemplate(name);
        } catch (LoaderException e) {
            throw new RenderException("template \"" + name + "\" not found: " + e.getMessage(), e);
        } catch (PebbleException e) {
            throw new RenderException("cannot compile template \"" + name + "\": " + e.getMessage(), e);
        }
    }
}
