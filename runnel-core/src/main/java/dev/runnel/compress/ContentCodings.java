package dev.runnel.compress;

import dev.runnel.internal.GzipCoding;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The content codings this process can send: {@code gzip}, built into {@code runnel-core}, and every
 * coding a module on the class or module path provides as a {@link ServiceLoader service} of
 * {@link ContentCoding} ({@code zstd} from {@code runnel-zstd}). Providers are looked up once, on
 * first use. Thread-safe.
 */
public final class ContentCodings {

    private static final System.Logger LOG = System.getLogger("dev.runnel.compress");
    /** Codings known to come from a Runnel module, for the message when one is missing. */
    private static final Map<String, String> MODULES = Map.of("zstd", "runnel-zstd");
    /** Codings added with {@link #register}, after the built-in and provided ones. */
    private static final Map<String, ContentCoding> REGISTERED = new ConcurrentHashMap<>();

    private ContentCodings() {
    }

    /** The coding named {@code name} (any case), if this process has it. */
    public static Optional<ContentCoding> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.strip().toLowerCase(Locale.ROOT);
        ContentCoding known = Loaded.CODINGS.get(key);
        return Optional.ofNullable(known != null ? known : REGISTERED.get(key));
    }

    /** Every coding this process has, by name: the built-in ones first, then the provided ones. */
    public static Map<String, ContentCoding> available() {
        Map<String, ContentCoding> all = new LinkedHashMap<>(Loaded.CODINGS);
        REGISTERED.forEach(all::putIfAbsent);
        return java.util.Collections.unmodifiableMap(all);
    }

    /**
     * Adds a coding that no module provides as a service: one an application builds at run time, or
     * a test's. A name that is taken (built in, provided or registered before) is refused.
     *
     * @throws IllegalArgumentException when the coding's name is taken
     */
    public static void register(ContentCoding coding) {
        String key = coding.name().strip().toLowerCase(Locale.ROOT);
        if (Loaded.CODINGS.containsKey(key) || REGISTERED.putIfAbsent(key, coding) != null) {
            throw new IllegalArgumentException("ContentCodings.register: the coding \"" + key + "\" is already known");
        }
    }

    /** Says what provides a coding that is missing, for error messages. */
    static String whereToFind(String name) {
        String module = MODULES.get(name);
        return module != null
                ? "it is provided by the module " + module + ": add it to the class path (or module path)"
                : "no module on the class path provides it; available: " + available().keySet();
    }

    /** The built-in and provided codings, looked up once. */
    private static final class Loaded {
        static final Map<String, ContentCoding> CODINGS = load();

        private static Map<String, ContentCoding> load() {
            Map<String, ContentCoding> codings = new LinkedHashMap<>();
            for (ContentCoding builtIn : builtIn()) {
                codings.put(builtIn.name(), builtIn);
            }
            try {
                for (ServiceLoader.Provider<ContentCoding> p : ServiceLoader.load(ContentCoding.class).stream().toList()) {
                    try {
                        ContentCoding coding = p.get();
                        codings.putIfAbsent(coding.name().toLowerCase(Locale.ROOT), coding);
                    } catch (ServiceConfigurationError | RuntimeException e) {
                        LOG.log(Level.WARNING, "content coding " + p.type().getName() + " cannot be loaded; it is left out", e);
                    }
                }
            } catch (ServiceConfigurationError e) {
                LOG.log(Level.WARNING, "content codings cannot be looked up; only the built-in ones are available", e);
            }
            return java.util.Collections.unmodifiableMap(codings);
        }

        private static List<ContentCoding> builtIn() {
            return List.of(new GzipCoding());
        }
    }
}
