package dev.runnel.example.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium, driven through chromium-driver by Selenium, for the demo's end-to-end
 * tests. Each browser gets a fresh profile, deleted by {@link #close()}, which also quits the browser.
 *
 * <p>Both binaries are taken from fixed Debian paths, so Selenium Manager never looks for (or
 * downloads) a browser or a driver; a missing one fails at once, naming the packages to install.
 * Not thread-safe: one test thread drives one browser.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** How long a wait may take: generous, for a loaded 2-core machine. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Starts headless Chromium with a fresh profile and a 1100x800 window.
     *
     * @param extraArguments more Chromium switches, such as {@code --ignore-certificate-errors}
     * @throws IllegalStateException when chromium or chromium-driver is not installed
     */
    public static Browser start(String... extraArguments) {
        return start(options -> { }, extraArguments);
    }

    /**
     * As {@link #start(String...)}, with {@code configure} given the options last (for a capability
     * such as Chromium's performance log).
     */
    public static Browser start(Consumer<ChromeOptions> configure, String... extraArguments) {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("the browser tests need headless Chromium, but " + binary
                        + " is missing: install Debian packages chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver; .ci/run does)");
            }
        }
        // Selenium Manager is skipped when the driver's path is given; should it run anyway, Selenium
        // hands it SE_* system properties as its environment, and SE_OFFLINE forbids downloads
        System.setProperty("SE_OFFLINE", "true");
        Path profile;
        try {
            profile = Files.createTempDirectory("runnel-chromium-");
            Files.createDirectories(Path.of("target"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(Path.of("target", "chromedriver.log").toFile())
                .withAppendLog(true)
                .withTimeout(PATIENCE)
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-first-run",
                "--window-size=1100,800", "--user-data-dir=" + profile);
        options.addArguments(extraArguments);
        configure.accept(options);
        try {
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            deleteTree(profile);
            throw e;
        }
    }

    /** Loads {@code uri} and waits for the page's load event. */
    public void open(URI uri) {
        driver.get(uri.toString());
    }

    /** Leaves the current page, which closes its event streams. */
    public void openBlank() {
        driver.get("about:blank");
    }

    /**
     * Waits up to {@link #PATIENCE} until {@code condition} returns neither {@code null} nor
     * {@code false}, and returns that value. An element swapped out while the condition reads it
     * (a stale reference) counts as not yet.
     *
     * @throws org.openqa.selenium.TimeoutException naming {@code what} when it does not
     */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** The visible text of the first element matching the CSS selector, or "" when there is none. */
    public String text(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    /** The elements matching the CSS selector. */
    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Resizes the window so that its viewport, and so a screenshot, is {@code width} x {@code height}. */
    public void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        // headless Chromium still reserves room for a toolbar: grow the window by what the page lost
        List<?> inner = (List<?>) driver.executeScript("return [window.innerWidth, window.innerHeight]");
        int innerWidth = ((Number) inner.get(0)).intValue();
        int innerHeight = ((Number) inner.get(1)).intValue();
        driver.manage().window().setSize(new Dimension(2 * width - innerWidth, 2 * height - innerHeight));
    }

    /** Saves a PNG of the window to each path, creating their folders. */
    public void screenshot(Path... paths) throws IOException {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        for (Path path : paths) {
            Path folder = path.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            Files.write(path, png);
        }
    }

    /** The driver, for anything the methods above do not cover. */
    public WebDriver driver() {
        return driver;
    }

    /** Quits the browser and deletes its profile. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp profile is harmless
        }
    }
}
