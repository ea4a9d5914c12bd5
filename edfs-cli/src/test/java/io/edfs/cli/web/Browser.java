package io.edfs.cli.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium driven by ChromeDriver, both the machine's own (Debian's {@code chromium}
 * and {@code chromium-driver}), with a fresh profile and a downloads folder of its own. It keeps
 * what the page wrote to the console so a test can assert that no script failed. Not thread-safe.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final String MISSING = "no Chromium here (apt-get install chromium chromium-driver); browser tests skipped";
  // Chrome logs every 4xx answer; the app gets those on purpose (NAME_EXISTS, VERSION_CONFLICT...)
  private static final Pattern EXPECTED_HTTP_ERROR =
      Pattern.compile(".*Failed to load resource: the server responded with a status of 4\\d\\d .*");

  // Selenium warns on every start that it has no DevTools classes for this exact Chromium; none are used
  private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

  static {
    DEVTOOLS_LOG.setLevel(Level.SEVERE);
  }

  private final String name;
  private final ChromeDriver driver;
  private final Path downloads;
  private final Path screenshots;
  private final List<String> console = new ArrayList<>();

  private Browser(String name, ChromeDriver driver, Path downloads, Path screenshots) {
    this.name = name;
    this.driver = driver;
    this.downloads = downloads;
    this.screenshots = screenshots;
  }

  /**
   * Skips the calling test, with one line, when Chromium or ChromeDriver is not installed; fails it
   * instead when the run requires browser tests ({@code CI} or {@code EDFS_REQUIRE_BROWSER} set).
   */
  static void assumeInstalled() {
    if (installed()) {
      return;
    }
    if (isSet("CI") || isSet("EDFS_REQUIRE_BROWSER")) {
      throw new IllegalStateException(MISSING.replace("browser tests skipped", "this run requires the browser tests"));
    }
    System.err.println(MISSING); // Maven's summary counts skipped tests but does not say why
    Assumptions.abort(MISSING);
  }

  /** Whether Chromium and ChromeDriver are both here. */
  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  private static boolean isSet(String env) {
    String v = System.getenv(env);
    return v != null && !v.isBlank() && !v.equalsIgnoreCase("false");
  }

  /** Starts a browser for the user {@code name}, its profile and downloads under {@code dir}. */
  static Browser start(String name, Path dir, Path screenshots) throws IOException {
    assumeInstalled();
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        "--window-size=1280,900");
    options.setExperimentalOption(
        "prefs",
        Map.of(
            "download.default_directory", downloads.toString(),
            "download.prompt_for_download", false,
            "download.directory_upgrade", true,
            "safebrowsing.enabled", false));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .withLogFile(dir.resolve("chromedriver.log").toFile())
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    return new Browser(name, driver, downloads, Files.createDirectories(screenshots));
  }

  WebDriver driver() {
    return driver;
  }

  String name() {
    return name;
  }

  Path downloads() {
    return downloads;
  }

  void open(String url) {
    driver.get(url);
  }

  void resize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** The selector of the element(s) with {@code data-test="test"}. */
  static By test(String test) {
    return By.cssSelector("[data-test='" + test + "']");
  }

  <T> T await(Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(condition);
  }

  <T> T await(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).withMessage(name + ": " + what).until(condition);
  }

  /** Waits until the element is displayed, and returns it. */
  WebElement visible(By by) {
    return await(ExpectedConditions.visibilityOfElementLocated(by));
  }

  WebElement visible(String test) {
    return visible(test(test));
  }

  void gone(By by) {
    await(ExpectedConditions.invisibilityOfElementLocated(by));
  }

  void gone(String test) {
    gone(test(test));
  }

  /**
   * Clicks once the element is displayed and enabled. Found and clicked in one step of the wait:
   * a list that re-renders between the two (the element goes stale, unclicked) is looked up again.
   */
  void click(By by) {
    await(d -> {
      WebElement el = ExpectedConditions.elementToBeClickable(by).apply(d);
      if (el == null) {
        return null;
      }
      el.click();
      return Boolean.TRUE;
    });
  }

  void click(String test) {
    click(test(test));
  }

  /** Replaces the text of a field. */
  void type(String test, String text) {
    WebElement el = visible(test);
    el.clear();
    el.sendKeys(text);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Saves a PNG of the viewport as {@code screenshots/NAME.png}. */
  void screenshot(String fileName) {
    try {
      Files.write(screenshots.resolve(fileName + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything the page has written to the console so far. */
  List<String> console() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      console.add(e.getLevel() + " " + e.getMessage());
    }
    return List.copyOf(console);
  }

  /** Asserts that no script failed: no console error but Chrome's own lines for 4xx answers. */
  void assertNoScriptErrors() {
    List<String> errors =
        console().stream()
            .filter(l -> l.startsWith(Level.SEVERE.toString()))
            .filter(l -> !EXPECTED_HTTP_ERROR.matcher(l).matches())
            .toList();
    assertThat(errors).as("%s: errors in the browser console", name).isEmpty();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
