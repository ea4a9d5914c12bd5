package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.server.DumpSummary;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.ServerConfig;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dumps and loads on every engine: the same rows come out of each, and a tree of 200,000 nodes
 * goes in and out through a JVM with a 48 MiB heap, far less than the dump itself (about 60 MiB of
 * JSON), so both stream.
 */
@DisplayName("A metadata dump, on every engine")
class MetadataDumpIT {
  static final int NODES = 200_000;
  static final String HEAP = "-Xmx48m";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  @DisplayName("loads and dumps 200,000 nodes in a 48 MiB heap")
  void largeTree(Engine engine) throws Exception {
    ServerConfig source = ServerConfig.defaults(dir.resolve("source"));
    try (Database db = MetadataDump.open(source, true)) {
      new SampleMetadata(11).fill(db, 2, 10).wideTree(db, NODES, 8);
    }
    Path dump = dir.resolve("large.dump.gz");
    MetadataDump.dump(source, dump);
    try (TestDatabase target = TestDatabase.create(engine, dir.resolve("target"))) {
      double loadSeconds = child("load", dump.toString(), target.url());
      Path again = dir.resolve("again.dump.gz");
      double dumpSeconds = child("dump", target.url(), again.toString());

      long nodes;
      try (Database db = MetadataDump.open(ServerConfig.defaults(dir).withDatabase(target.url()), false)) {
        nodes = db.read(c -> MetadataDumpIT.count(c, "nodes"));
      }
      assertThat(nodes).isGreaterThan(NODES);
      assertThat(rows(again)).isEqualTo(rows(dump));
      System.out.printf(
          Locale.ROOT,
          "%s: %,d nodes, dump %,d bytes: load %.1f s (%,.0f nodes/s), dump %.1f s (%,.0f nodes/s),"
              + " each in a JVM with %s%n",
          engine.label(),
          nodes,
          Files.size(dump),
          loadSeconds,
          nodes / loadSeconds,
          dumpSeconds,
          nodes / dumpSeconds,
          HEAP);
      assertThat(dumpSeconds).as("dump seconds").isLessThan(30);
      assertThat(loadSeconds).as("load seconds").isLessThan(60);
    }
  }

  @Test
  @DisplayName("moves every row unchanged from SQLite to MariaDB to PostgreSQL and back to SQLite")
  void acrossEngines() throws Exception {
    ServerConfig source = ServerConfig.defaults(dir.resolve("source"));
    try (Database db = MetadataDump.open(source, true)) {
      new SampleMetadata(5).fill(db, 4, 60);
    }
    Path first = dir.resolve("sqlite.dump.gz");
    MetadataDump.dump(source, first);
    Path previous = first;
    List<TestDatabase> databases = new ArrayList<>();
    try {
      for (Engine engine : List.of(Engine.MARIADB, Engine.POSTGRES, Engine.SQLITE)) {
        TestDatabase target = TestDatabase.create(engine, dir.resolve("databases"));
        databases.add(target);
        ServerConfig config = ServerConfig.defaults(dir).withDatabase(target.url());
        try (InputStream in = Files.newInputStream(previous)) {
          MetadataDump.load(in, config);
        }
        Path next = dir.resolve(engine.label() + ".dump.gz");
        MetadataDump.dump(config, next);
        assertThat(rows(next)).as("rows after a trip through %s", engine.label()).isEqualTo(rows(first));
        previous = next;
      }
    } finally {
      databases.forEach(TestDatabase::close);
    }
  }

  /** Every line but the header (which says when and from which engine), in a stable order. */
  static List<String> rows(Path dump) throws IOException {
    try (var in = new GZIPInputStream(Files.newInputStream(dump))) {
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      // engines may order ids differently (collations); the load order within a table is free
      return lines.stream().skip(1).sorted().toList();
    }
  }

  static long count(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
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

  /** {@code dump JDBC_URL FILE} or {@code load FILE JDBC_URL}. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      DumpSummary summary;
      long start = System.nanoTime();
      if (args[0].equals("dump")) {
        ServerConfig from = ServerConfig.defaults(Path.of(args[2]).getParent()).withDatabase(args[1]);
        summary = EdfsAdmin.dump(from, Path.of(args[2]));
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
