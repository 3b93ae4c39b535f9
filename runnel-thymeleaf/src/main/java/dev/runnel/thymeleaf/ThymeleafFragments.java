package dev.runnel.thymeleaf;

import dev.runnel.Fragment;
import dev.runnel.FragmentRenderer;
import dev.runnel.RenderException;

import org.thymeleaf.IEngineConfiguration;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.TemplateSpec;
import org.thymeleaf.context.Context;
import org.thymeleaf.exceptions.TemplateEngineException;
import org.thymeleaf.exceptions.TemplateInputException;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.ITemplateResolver;
import org.thymeleaf.templateresolver.TemplateResolution;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders a {@link Fragment} with Thymeleaf: {@code fragment.block()} is a fragment selector of
 * {@code fragment.template()}, as in {@code th:replace="~{card :: item}"}, and
 * {@code fragment.context()} holds the variables. A fragment declared with parameters,
 * {@code th:fragment="note(title, body)"}, takes them from the context by name.
 *
 * <pre>{@code
 * FragmentRenderer fragments = ThymeleafFragments.classpath();        // templates/<name>.html
 * out.emit(ThymeleafFragments.fragment("card :: note", Map.of("title", t, "body", b)));
 * }</pre>
 *
 * <p>In Spring Boot, {@code runnel-spring-boot} builds one on the application's own
 * {@code SpringTemplateEngine}, so fragments see the same templates, dialects and SpEL as pages.
 * Fragments render outside any web request: link expressions that need one ({@code @{/path}})
 * fail; pass URLs in the context instead.
 *
 * <p>Thread-safe: one instance serves every stream. {@link #render} returns the HTML as Thymeleaf
 * wrote it; stripping it and refusing an empty result is the core formatter's job. Every failure is
 * a {@link RenderException}:
 * <ul>
 *   <li>the template cannot be found: the message names the template;</li>
 *   <li>nothing in the template matches the selector: the message names the template, the fragment
 *       and the fragments the template declares;</li>
 *   <li>a fragment declared with parameters is rendered with a context that lacks some: the message
 *       names them;</li>
 *   <li>any other Thymeleaf error (syntax, a failing expression, ...): the message names the template
 *       and fragment and carries Thymeleaf's message, which has the line; Thymeleaf's exception is
 *       the cause.</li>
 * </ul>
 */
public final class ThymeleafFragments implements FragmentRenderer {

    /** Where {@link #classpath()} looks for templates. */
    public static final String DEFAULT_PREFIX = "templates/";

    /** The file suffix the classpath factories add to a template name. */
    public static final String SUFFIX = ".html";

    private static final String SEPARATOR = "::";

    private final ITemplateEngine engine;
    private final Locale locale;
    private final Map<String, FragmentInventory> inventories = new ConcurrentHashMap<>();

    /**
     * Renders with an engine configured by the caller, such as Spring's {@code SpringTemplateEngine};
     * template names are whatever its resolvers take. Expressions see the JVM's default locale.
     */
    public ThymeleafFragments(ITemplateEngine engine) {
        this(engine, Locale.getDefault());
    }

    /** As {@link #ThymeleafFragments(ITemplateEngine)}, with the locale expressions and messages see. */
    public ThymeleafFragments(ITemplateEngine engine, Locale locale) {
        this.engine = Objects.requireNonNull(engine, "engine must not be null");
        this.locale = Objects.requireNonNull(locale, "locale must not be null");
    }

    /** Templates from {@code templates/} on the class path: {@code "card"} loads {@code templates/card.html}. Cached, HTML mode. */
    public static ThymeleafFragments classpath() {
        return classpath(DEFAULT_PREFIX, true);
    }

    /**
     * Templates under the class path folder {@code prefix}: {@code "card"} loads
     * {@code <prefix>/card.html}, {@code "cards/item"} loads {@code <prefix>/cards/item.html}. HTML
     * mode, UTF-8; pass {@code cache = false} in development so edited templates are re-read.
     *
     * @param prefix class path folder, such as {@code "templates"}; {@code ""} means the class path root
     */
    public static ThymeleafFragments classpath(String prefix, boolean cache) {
        Objects.requireNonNull(prefix, "prefix must not be null");
        String folder = prefix.replaceAll("^/+", "");
        if (!folder.isEmpty() && !folder.endsWith("/")) {
            folder += "/";
        }
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix(folder);
        resolver.setSuffix(SUFFIX);
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        resolver.setCacheable(cache);
        resolver.setCheckExistence(true);
        TemplateEngine engine = new TemplateEngine();
        engine.setTemplateResolver(resolver);
        return new ThymeleafFragments(engine);
    }

    /**
     * A fragment written as Thymeleaf writes a fragment expression: {@code "card :: item"} is
     * {@code item} of template {@code card}.
     *
     * @throws IllegalArgumentException when {@code reference} is not {@code template :: selector}
     */
    public static Fragment fragment(String reference, Map<String, ?> context) {
        Objects.requireNonNull(reference, "reference must not be null");
        int at = reference.indexOf(SEPARATOR);
        String template = at < 0 ? "" : reference.substring(0, at).strip();
        String selector = at < 0 ? "" : reference.substring(at + SEPARATOR.length()).strip();
        if (template.isEmpty() || selector.isEmpty()) {
            throw new IllegalArgumentException("a Thymeleaf fragment reference is \"template :: fragment\", got \"" + reference + '"');
        }
        return Fragment.of(template, selector, context);
    }

    /** {@link #fragment(String, Map)} for the element with id {@code target}. */
    public static Fragment fragment(String reference, Map<String, ?> context, String target) {
        return fragment(reference, context).withTarget(target);
    }

    /** The Thymeleaf engine, for rendering whole pages with the same templates and settings. */
    public ITemplateEngine engine() {
        return engine;
    }

    /**
     * Renders the fragment.
     *
     * @return the HTML, unstripped
     * @throws RenderException when the template or fragment does not exist, a declared parameter is
     *     missing from the context, or Thymeleaf fails
     */
    @Override
    public String render(Fragment fragment) {
        String template = fragment.template();
        String selector = fragment.block();
        FragmentInventory inventory = inventory(template);
        if (inventory != null) {
            List<String> missing = new ArrayList<>(inventory.parameters(selector));
            missing.removeAll(fragment.context().keySet());
            if (!missing.isEmpty()) {
                throw new RenderException("fragment \"" + selector + "\" of template \"" + template + "\" takes parameters "
                        + inventory.parameters(selector) + "; the context has no " + missing);
            }
        }
        StringWriter out = new StringWriter();
        try {
            // a mutable copy: Fragment's context is immutable, and th:with and friends write to the context
            engine.process(new TemplateSpec(template, Set.of(selector), (TemplateMode) null, null),
                    new Context(locale, new HashMap<>(fragment.context())), out);
        } catch (TemplateInputException e) {
            throw new RenderException(notFoundOrFailed(template, selector, inventory) + ": " + e.getMessage(), e);
        } catch (TemplateEngineException e) {
            throw new RenderException("cannot render fragment \"" + selector + "\" of template \"" + template + "\": "
                    + e.getMessage(), e);
        }
        String html = out.toString();
        // Thymeleaf renders a selector that matches nothing as nothing; only then is it worth saying
        // which fragments exist. A declared fragment that renders empty is returned as is.
        if (html.isEmpty() && (inventory == null || !inventory.contains(selector))) {
            throw new RenderException("template \"" + template + "\" has no fragment \"" + selector + "\""
                    + (inventory == null ? "" : "; its fragments are " + inventory.signatures()));
        }
        return html;
    }

    private String notFoundOrFailed(String template, String selector, FragmentInventory inventory) {
        return inventory == null
                ? "template \"" + template + "\" not found"
                : "cannot render fragment \"" + selector + "\" of template \"" + template + "\"";
    }

    /**
     * The template's declared fragments, read from its source through the engine's own resolvers;
     * {@code null} when the engine is not a {@link TemplateEngine} or no resolver finds the template.
     * Kept while the resolution says the template is cacheable.
     */
    private FragmentInventory inventory(String template) {
        FragmentInventory known = inventories.get(template);
        if (known != null) {
            return known;
        }
        if (!(engine instanceof TemplateEngine te)) {
            return null;
        }
        IEngineConfiguration configuration = te.getConfiguration();
        for (ITemplateResolver resolver : configuration.getTemplateResolvers()) {
            TemplateResolution resolution;
            try {
                resolution = resolver.resolveTemplate(configuration, null, template, null);
            } catch (RuntimeException e) {
                continue;
            }
            if (resolution == null || !resolution.getTemplateResource().exists()) {
                continue;
            }
            try (Reader reader = resolution.getTemplateResource().reader()) {
                StringWriter source = new StringWriter();
                reader.transferTo(source);
                FragmentInventory inventory = FragmentInventory.of(source.toString());
                if (resolution.getValidity().isCacheable()) {
                    inventories.put(template, inventory);
                }
                return inventory;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
