package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.server.DumpSummary;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.ServerConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dump and load stream: a tree of 200,000 nodes goes through a JVM with a 48 MiB heap, far less
 * than the dump itself (about 60 MiB of JSON), in well under 30 seconds each way.
 */
@DisplayName("A metadata dump of a large tree")
class MetadataDumpIT {
  static final int NODES = 200_000;
  static final String HEAP = "-Xmx48m";

  @TempDir Path dir;

  @Test
  @DisplayName("dumps and loads 200,000 nodes in a 48 MiB heap")
  void largeTree() throws Exception {
    ServerConfig source = ServerConfig.defaults(dir.resolve("source"));
    try (Database db = MetadataDump.open(source, true)) {
      new SampleMetadata(11).fill(db, 2, 10).wideTree(db, NODES, 8);
    }
    Path dump = dir.resolve("large.dump.gz");
    String target = "jdbc:sqlite:" + dir.resolve("target.db");

    double dumpSeconds = child("dump", source.dataDir().toString(), dump.toString());
    double loadSeconds = child("load", dump.toString(), target);

    ServerConfig loaded = ServerConfig.defaults(dir).withDatabase(target);
    try (Database db = MetadataDump.open(loaded, false)) {
      long nodes =
          db.read(
              c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM nodes");
                    ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              });
      assertThat(nodes).isGreaterThan(NODES);
      System.out.printf(
          Locale.ROOT,
          "%,d nodes, dump %,d bytes: dump %.1f s (%,.0f rows/s), load %.1f s (%,.0f rows/s),"
              + " each in a JVM with %s%n",
          nodes,
          Files.size(dump),
          dumpSeconds,
          nodes / dumpSeconds,
          loadSeconds,
          nodes / loadSeconds,
          HEAP);
    }
    assertThat(dumpSeconds).as("dump seconds").isLessThan(30);
    assertThat(loadSeconds).as("load seconds").isLessThan(30);
  }

  /**
   * Runs {@link Child} in a JVM with a small heap; returns the seconds the dump or load took (the
   * whole process must finish within 120 s).
   */
  private double child(String... args) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                HEAP,
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName()));
    cmd.addAll(List.of(args));
    Path log = dir.resolve(args[0] + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", args[0]).isTrue();
    String output = Files.readString(log);
    assertThat(p.exitValue()).as("%s in %s:%n%s", args[0], HEAP, output).isZero();
    return Double.parseDouble(output.strip().lines().reduce((a, b) -> b).orElseThrow());
  }

  /** {@code dump DATA_DIR FILE} or {@code load FILE JDBC_URL}. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      DumpSummary summary;
      long start = System.nanoTime();
      if (args[0].equals("dump")) {
        summary = EdfsAdmin.dump(ServerConfig.defaults(Path.of(args[1])), Path.of(args[2]));
      } else {
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
          summary = EdfsAdmin.load(in, ServerConfig.defaults(Path.of(args[1]).getParent()).withDatabase(args[2]));
        }
      }
      System.out.println(summary.describe());
      // the last line: how long the dump or load took, without the JVM's start
      System.out.println((System.nanoTime() - start) / 1e9);
    }
  }
}
