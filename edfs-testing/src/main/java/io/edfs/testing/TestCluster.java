package io.edfs.testing;

import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cluster for tests: several in-process {@link EdfsServer} nodes on one metadata database and one
 * shared block folder, each on its own ephemeral port on 127.0.0.1 with its own data folder. The
 * first node's {@code server.secret} and TLS identity are copied to the others before they start,
 * as an operator would. A node can be stopped and started again on the same port, where its
 * clients expect it. {@link #close()} stops every node and deletes the folders; the database
 * belongs to the caller.
 */
public final class TestCluster implements AutoCloseable {
  private final Path dir;
  private final List<ServerConfig> configs;
  private final List<EdfsServer> running;

  private TestCluster(Path dir, List<ServerConfig> configs, List<EdfsServer> running) {
    this.dir = dir;
    this.configs = configs;
    this.running = running;
  }

  /** Starts {@code nodes} nodes on the database at JDBC URL {@code database}. */
  public static TestCluster start(int nodes, String database) throws IOException {
    if (nodes < 1) {
      throw new IllegalArgumentException("a cluster has at least 1 node, got " + nodes);
    }
    Objects.requireNonNull(database, "database");
    Path dir = Files.createTempDirectory("edfs-test-cluster-");
    List<ServerConfig> configs = new ArrayList<>();
    List<EdfsServer> running = new ArrayList<>();
    TestCluster cluster = new TestCluster(dir, configs, running);
    try {
      for (int i = 0; i < nodes; i++) {
        Path data = dir.resolve("node" + (i + 1));
        if (i > 0) {
          Files.createDirectories(data);
          Path first = configs.get(0).dataDir();
          Files.copy(first.resolve("server.secret"), data.resolve("server.secret"), StandardCopyOption.COPY_ATTRIBUTES);
          copyFolder(first.resolve("tls"), data.resolve("tls"));
        }
        ServerConfig config =
            ServerConfig.defaults(data).withPort(0).withDatabase(database).withBlocks("file:" + Files.createDirectories(dir.resolve("blocks")));
        EdfsServer server = EdfsServer.start(config);
        configs.add(config.withPort(server.port()));
        running.add(server);
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** How many nodes the cluster has (running or not). */
  public int size() {
    return configs.size();
  }

  /** Node {@code i}'s base URI, {@code https://127.0.0.1:<port>}, whether it runs or not. */
  public URI uri(int i) {
    return URI.create("https://127.0.0.1:" + configs.get(i).port());
  }

  /** Every node's base URI, in order. */
  public List<URI> uris() {
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      uris.add(uri(i));
    }
    return uris;
  }

  /** The certificate fingerprint every node presents (they share one TLS identity). */
  public String fingerprint() {
    return firstRunning().certificateFingerprint();
  }

  /** Node {@code i}'s data folder (its secret and TLS identity). */
  public Path dataDir(int i) {
    return configs.get(i).dataDir();
  }

  /** The running server of node {@code i}. */
  public EdfsServer server(int i) {
    EdfsServer s = running.get(i);
    if (s == null) {
      throw new IllegalStateException("node " + i + " is stopped");
    }
    return s;
  }

  public boolean isRunning(int i) {
    return running.get(i) != null;
  }

  /** Stops node {@code i} gracefully (running requests finish); its port then refuses connections. */
  public void stop(int i) {
    EdfsServer s = running.set(i, null);
    if (s != null) {
      s.close();
    }
  }

  /** Starts node {@code i} again on its port, if it is stopped. */
  public void start(int i) throws IOException {
    if (running.get(i) == null) {
      running.set(i, EdfsServer.start(configs.get(i)));
    }
  }

  private EdfsServer firstRunning() {
    return running.stream()
        .filter(Objects::nonNull)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no node is running"));
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES); // the folder alone, private as it is
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  /** Stops every node and deletes the data folders and the blocks. */
  @Override
  public void close() {
    try {
      for (int i = 0; i < running.size(); i++) {
        stop(i);
      }
    } finally {
      Folders.deleteRecursively(dir);
    }
  }

  @Override
  public String toString() {
    return "TestCluster" + uris();
  }
}
