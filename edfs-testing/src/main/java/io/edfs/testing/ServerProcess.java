package io.edfs.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An {@code edfs server} in its own process, on a free port, with its data in a given folder.
 * Its output goes to {@code server.log} in that folder's parent. {@link #close()} stops it
 * with SIGTERM (graceful); {@link #kill()} with SIGKILL.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (https://\\S+)");
  private static final Pattern FINGERPRINT = Pattern.compile("fingerprint ([0-9A-F:]+)");

  private final Process process;
  private final String url;
  private final String fingerprint;

  private ServerProcess(Process process, String url, String fingerprint) {
    this.process = process;
    this.url = url;
    this.fingerprint = fingerprint;
  }

  /** Starts a server on {@code dataDir} and waits (up to 60 s) until it listens. */
  public static ServerProcess start(Path dataDir, List<String> jvmArgs) throws IOException {
    return start(dataDir, jvmArgs, List.of(), Map.of());
  }

  /**
   * Starts a server on {@code dataDir} with more {@code edfs server} options (e.g. {@code --db
   * URL}) and environment variables, and waits (up to 60 s) until it listens.
   */
  public static ServerProcess start(
      Path dataDir, List<String> jvmArgs, List<String> serverArgs, Map<String, String> env)
      throws IOException {
    return start(dataDir, 0, jvmArgs, serverArgs, env);
  }

  /**
   * Starts a server on {@code dataDir} listening on {@code port} (0 = a free one), e.g. a node
   * restarted where its clients expect it, and waits (up to 60 s) until it listens.
   */
  public static ServerProcess start(
      Path dataDir, int port, List<String> jvmArgs, List<String> serverArgs, Map<String, String> env)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of("server", "--data", dataDir.toString(), "--port", Integer.toString(port)));
    args.addAll(serverArgs);
    ProcessBuilder pb = new ProcessBuilder(EdfsJar.command(jvmArgs, args)).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Path log = dataDir.toAbsolutePath().getParent().resolve("server-" + dataDir.getFileName() + ".log");
    Thread.ofVirtual()
        .start(
            () -> {
              try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  var out = java.nio.file.Files.newBufferedWriter(log)) {
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
    String url = null;
    String fp = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    StringBuilder seen = new StringBuilder();
    try {
      while ((url == null || fp == null) && System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          if (!p.isAlive()) {
            break;
          }
          continue;
        }
        seen.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          url = m.group(1);
        }
        Matcher f = FINGERPRINT.matcher(line);
        if (f.find()) {
          fp = f.group(1);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (url == null || fp == null) {
      p.destroyForcibly();
      throw new IllegalStateException("server did not start; it printed:\n" + seen);
    }
    return new ServerProcess(p, url, fp);
  }

  public String url() {
    return url;
  }

  public String fingerprint() {
    return fingerprint;
  }

  /** The port the server listens on. */
  public int port() {
    return URI.create(url).getPort();
  }

  public long pid() {
    return process.pid();
  }

  /** Whether the process still runs (it has not crashed or been stopped). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** An SSL context trusting exactly this server's certificate, for direct HTTPS requests. */
  public SSLContext sslContext() {
    return PinnedTls.context(fingerprint);
  }

  /** SIGKILL: no chance to clean up, like a crash. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  @Override
  public void close() {
    process.destroy();
    waitFor();
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while stopping the server"));
    }
  }
}
