package io.edfs.cli.web;

import io.edfs.testing.EdfsJar;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code edfs ui --no-browser --port 0} process for one user (its own {@code EDFS_HOME}),
 * started from the built jar, and the link it printed. Its output goes to {@code ui.log} in the
 * home folder. {@link #close()} stops it.
 */
final class UiProcess implements AutoCloseable {
  private static final Pattern LINK = Pattern.compile("^Open (http://127\\.0\\.0\\.1:(\\d+)/)#token=([A-Za-z0-9_-]{43})$");

  private final Process process;
  private final String origin;
  private final String link;

  private UiProcess(Process process, String origin, String link) {
    this.process = process;
    this.origin = origin;
    this.link = link;
  }

  /** Starts the UI of the user whose files are in {@code home}, against {@code serverUrl}. */
  static UiProcess start(Path home, String serverUrl) throws IOException {
    return start(home, serverUrl, List.of("--no-browser"), Map.of());
  }

  /**
   * Starts the UI as on a desktop: it opens "the browser" through {@code xdg-open}, which is
   * looked up first in {@code openerDir} (with {@code DISPLAY} set, as on a desktop).
   */
  static UiProcess startOnDesktop(Path home, String serverUrl, Path openerDir) throws IOException {
    return start(home, serverUrl, List.of(), Map.of("DISPLAY", ":0", "PATH", openerDir + ":" + System.getenv("PATH")));
  }

  private static UiProcess start(Path home, String serverUrl, List<String> flags, Map<String, String> env) throws IOException {
    Files.createDirectories(home);
    List<String> args = new ArrayList<>(List.of("ui", "--port", "0", "--server", serverUrl));
    args.addAll(flags);
    List<String> cmd = EdfsJar.command(List.of("-XX:+UseSerialGC"), args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
    pb.environment().remove("EDFS_SERVER");
    pb.environment().remove("EDFS_PASSWORD");
    pb.environment().remove("DISPLAY");
    pb.environment().remove("WAYLAND_DISPLAY");
    pb.environment().put("EDFS_HOME", home.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Path log = home.resolve("ui.log");
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  BufferedWriter out = Files.newBufferedWriter(log)) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                  out.write(line);
                  out.newLine();
                  out.flush();
                }
              } catch (IOException ignored) {
                // the process ended
              }
            });
    StringBuilder seen = new StringBuilder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      while (System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          if (!p.isAlive()) {
            break;
          }
          continue;
        }
        Matcher m = LINK.matcher(line);
        if (m.matches()) {
          return new UiProcess(p, m.group(1), line.substring("Open ".length()));
        }
        seen.append(line).append('\n');
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    p.destroyForcibly();
    throw new IllegalStateException("edfs ui did not print its link; it printed:\n" + seen);
  }

  /** {@code http://127.0.0.1:PORT/}, without the token. */
  String origin() {
    return origin;
  }

  /** The one-time link, with its token. */
  String link() {
    return link;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
