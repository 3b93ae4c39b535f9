package dev.runnel.spring.boot.example.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium ({@code /usr/bin/chromium}), driven by Selenium through Debian's
 * chromium-driver ({@code /usr/bin/chromedriver}); nothing is downloaded. A fresh profile per
 * browser, deleted on close. One test thread drives one browser.
 */
final class Chromium implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** Generous: the machine may be a loaded 2-core one. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** @throws IllegalStateException naming the Debian packages when chromium or chromium-driver is missing */
    static Chromium start() throws IOException {
        for (Path binary : List.of(BINARY, DRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("the browser test needs " + binary
                        + ": install the Debian packages chromium and chromium-driver (.ci/run does)");
            }
        }
        System.setProperty("SE_OFFLINE", "true"); // should Selenium Manager run at all, it must not download
        Path profile = Files.createTempDirectory("runnel-spring-chromium-");
        Files.createDirectories(Path.of("target"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(Path.of("target", "chromedriver.log").toFile())
                .withTimeout(PATIENCE)
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--window-size=1000,800", "--user-data-dir=" + profile);
        try {
            return new Chromium(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            delete(profile);
            throw e;
        }
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** The visible texts of the elements matching {@code css}. */
    List<String> texts(String css) {
        return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    String currentUrl() {
        return driver.getCurrentUrl();
    }

    /** Waits until {@code condition} is neither null nor false; a stale element counts as not yet. */
    <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
