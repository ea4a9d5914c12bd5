package io.edfs.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code edfs aot-train} (hidden): the workload the {@code edfs} launcher records JDK 25's
 * ahead-of-time cache from, once per build. It starts a throwaway server in a process of its own
 * (so that no server class lands in the client's cache, which a short command would load for
 * nothing) and runs the everyday client commands against it in this process: sign-up, listing,
 * small and multi-block uploads and downloads, folders, moves, sharing, help. Every class they
 * load and the profiles of their hot methods are then ready when a real command starts.
 */
@Command(name = "aot-train", hidden = true, description = "Record the start-up cache's workload (used by the launcher).")
final class TrainCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() throws Exception {
    Path tmp = Files.createTempDirectory("edfs-train");
    Process server = null;
    try {
      server = startServer(tmp.resolve("server"));
      String url = serverUrl(server);
      Path alice = tmp.resolve("alice");
      Path bob = tmp.resolve("bob");
      Path local = Files.createDirectories(tmp.resolve("local"));
      Files.writeString(local.resolve("small.txt"), "a small file\n");
      byte[] big = new byte[9 * 1024 * 1024 + 123]; // three blocks
      new Random(1).nextBytes(big);
      Files.write(local.resolve("big.bin"), big);

      run(bob, url, "signup", "bob");
      run(alice, url, "signup", "alice");
      run(alice, url, "--version");
      run(alice, url, "whoami");
      run(alice, url, "mkdir", "-p", "/train/sub");
      run(alice, url, "put", local.resolve("small.txt").toString(), "/train/");
      run(alice, url, "put", local.resolve("big.bin").toString(), "/train/sub/big.bin");
      for (int i = 0; i < 3; i++) {
        run(alice, url, "ls", "/train");
        run(alice, url, "ls", "-l", "/train/sub");
        run(alice, url, "ls", "--json", "/");
        run(alice, url, "stat", "/train/small.txt");
        run(alice, url, "stat", "--json", "/train/sub");
        run(alice, url, "cat", "/train/small.txt");
      }
      Path tree = Files.createDirectories(local.resolve("tree/sub"));
      for (int i = 0; i < 20; i++) {
        Files.writeString(tree.resolve("f" + i + ".txt"), "file " + i);
      }
      run(alice, url, "put", "-r", tree.getParent().toString(), "/train/tree");
      run(alice, url, "get", "-r", "/train/tree", local.resolve("tree-copy").toString());
      Files.writeString(tree.resolve("f0.txt"), "changed");
      run(alice, url, "sync", "--delete", tree.getParent().toString(), "edfs:/train/tree");
      run(alice, url, "sync", "edfs:/train/tree", local.resolve("tree-copy").toString());
      run(alice, url, "get", "/train/sub/big.bin", local.resolve("big.copy").toString());
      run(alice, url, "get", "/train/small.txt", local.resolve("small.copy").toString());
      run(alice, url, "mv", "/train/small.txt", "/train/renamed.txt");
      run(alice, url, "mv", "/train/renamed.txt", "/train/sub");
      run(alice, url, "share", "/train/sub", "bob", "--write");
      run(alice, url, "shares");
      run(bob, url, "shared");
      run(bob, url, "ls", "@alice/sub");
      run(bob, url, "cat", "@alice/sub/renamed.txt");
      run(alice, url, "unshare", "/train/sub", "bob");
      run(alice, url, "rm", "/train/sub/renamed.txt");
      run(alice, url, "rm", "-r", "/train");
      runExpecting(3, alice, url, "ls", "/no-such-folder");
      run(alice, url, "help", "put");
      run(alice, url, "ls", "--help");
      run(alice, url, "logout");
      return 0;
    } finally {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
      deleteTree(tmp);
    }
  }

  /**
   * Runs one command line in this process as a user with {@code home} as EDFS_HOME, dropping its
   * output; a failure stops the training (a cache recorded from failing commands would miss the
   * paths that matter).
   */
  private void run(Path home, String url, String... args) {
    runExpecting(0, home, url, args);
  }

  private void runExpecting(int exitCode, Path home, String url, String... args) {
    Map<String, String> env = new HashMap<>(main.cli.env);
    env.put("EDFS_HOME", home.toString());
    env.put("EDFS_SERVER", url);
    env.put("EDFS_PASSWORD", "training-password-" + home.getFileName());
    var err = new ByteArrayOutputStream();
    PrintStream devNull = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    int code = Main.run(args, env, devNull, new PrintStream(err, true, StandardCharsets.UTF_8));
    if (code != exitCode) {
      throw new IllegalStateException(
          "training command '" + String.join(" ", args) + "' exited " + code + ": " + err.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private static Process startServer(Path data) throws IOException, URISyntaxException {
    String java = ProcessHandle.current().info().command().orElseThrow(() -> new IOException("cannot tell which java runs"));
    Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "server", "--data", data.toString(), "--port", "0"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // the JVM passes the cache's settings to its assembly step this way; the server takes none
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().keySet().removeIf(k -> k.startsWith("EDFS_"));
    return pb.start();
  }

  /** Reads the server's output until it says where it listens; drains the rest in the background. */
  private static String serverUrl(Process server) throws IOException {
    var lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String marker = "listening on ";
    for (String line; (line = lines.readLine()) != null; ) {
      int at = line.indexOf(marker);
      if (at >= 0) {
        Thread.ofVirtual().start(() -> drain(lines));
        return line.substring(at + marker.length()).strip().split("\\s+")[0];
      }
    }
    throw new IOException("the training server stopped before it listened");
  }

  private static void drain(BufferedReader lines) {
    try {
      while (lines.readLine() != null) {
        // the server's log is of no use here
      }
    } catch (IOException e) {
      // the server was stopped
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
