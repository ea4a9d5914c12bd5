package io.edfs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code edfs} commands as one user would, each in a fresh process, with that user's own
 * {@code EDFS_HOME}, the server URL in {@code EDFS_SERVER} and the password in {@code
 * EDFS_PASSWORD}.
 */
public final class CliRunner {
  /** What a command did: exit code, standard output and standard error. */
  public record Result(int exitCode, byte[] stdoutBytes, String stderr) {
    public String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    public boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout() + "--- stderr\n" + stderr;
    }
  }

  private final Map<String, String> env = new HashMap<>();
  private final Path workDir;
  // short-lived commands on small data: start fast rather than compile hard
  private List<String> jvmArgs = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private String umask;

  public CliRunner(Path home, String serverUrl, String password) {
    env.put("EDFS_HOME", home.toString());
    env.put("EDFS_SERVER", serverUrl);
    env.put("EDFS_PASSWORD", password);
    this.workDir = home;
  }

  /** Sets or (null) removes an environment variable for later commands. */
  public CliRunner env(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
    return this;
  }

  /**
   * Runs later commands under {@code mask} (such as "077"), set by a shell as a user's login
   * would; null for the umask of this process.
   */
  public CliRunner umask(String mask) {
    this.umask = mask;
    return this;
  }

  /** Replaces the JVM options of later commands. */
  public CliRunner jvmArgs(List<String> args) {
    this.jvmArgs = List.copyOf(args);
    return this;
  }

  /** Starts a command and hands over its process, for streaming large inputs and outputs. */
  public Process start(String... args) throws IOException {
    return builder(args).start();
  }

  private ProcessBuilder builder(String... args) {
    List<String> cmd = new ArrayList<>(EdfsJar.command(jvmArgs, List.of(args)));
    if (umask != null) {
      // Java cannot set a child's umask; a shell can, then becomes the command
      cmd.addAll(0, List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    pb.environment().remove("EDFS_HOME");
    pb.environment().remove("EDFS_SERVER");
    pb.environment().remove("EDFS_PASSWORD");
    pb.environment().putAll(env);
    return pb;
  }

  /**
   * Runs a command on a pseudo-terminal (util-linux {@code script}), as if typed by a person;
   * standard output and error both arrive in {@link Result#stdout()}.
   */
  public Result runInTerminal(String... args) {
    StringBuilder line = new StringBuilder();
    for (String word : EdfsJar.command(jvmArgs, List.of(args))) {
      line.append('\'').append(word.replace("'", "'\\''")).append("' ");
    }
    ProcessBuilder pb = builder(args);
    pb.command("script", "-qec", line.toString(), "/dev/null");
    return collect(pb, new byte[0], args);
  }

  public Result run(String... args) {
    return run(new byte[0], args);
  }

  /** Runs with {@code stdin} as standard input. */
  public Result run(byte[] stdin, String... args) {
    return collect(builder(args), stdin, args);
  }

  private Result collect(ProcessBuilder pb, byte[] stdin, String... args) {
    try {
      Process p = pb.start();
      var out = new ByteArrayOutputStream();
      var err = new ByteArrayOutputStream();
      Thread tOut = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
      Thread tErr = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      } catch (IOException ignored) {
        // the command did not read its input
      }
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("edfs " + String.join(" ", args) + " did not finish in 120 s");
      }
      tOut.join();
      tErr.join();
      return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void copy(InputStream in, OutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // process ended
    }
  }
}
