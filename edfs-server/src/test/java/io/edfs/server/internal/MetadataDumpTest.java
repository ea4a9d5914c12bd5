package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.server.DumpException;
import io.edfs.server.DumpException.Problem;
import io.edfs.server.DumpSummary;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A metadata dump")
class MetadataDumpTest {
  @TempDir Path dir;
  ServerConfig source;
  SampleMetadata sample;

  @BeforeEach
  void fillSource() throws Exception {
    source = ServerConfig.defaults(dir.resolve("source"));
    try (Database db = MetadataDump.open(source, true)) {
      sample = new SampleMetadata(7).fill(db, 3, 40);
    }
  }

  ServerConfig fresh(String name) {
    return ServerConfig.defaults(dir).withDatabase("jdbc:sqlite:" + dir.resolve(name + ".db"));
  }

  static byte[] dump(ServerConfig config) throws IOException {
    var out = new ByteArrayOutputStream();
    EdfsAdmin.dump(config, out);
    return out.toByteArray();
  }

  static DumpSummary load(byte[] dump, ServerConfig target) throws IOException {
    return EdfsAdmin.load(new ByteArrayInputStream(dump), target);
  }

  static List<String> lines(byte[] dump) throws IOException {
    try (var in = new GZIPInputStream(new ByteArrayInputStream(dump))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  static byte[] gzip(List<String> lines) {
    var out = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(out)) {
      gz.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Test
  @DisplayName("loads into a fresh database, whose own dump has exactly the same rows")
  void roundTrip() throws Exception {
    byte[] first = dump(source);
    DumpSummary loaded = load(first, fresh("copy"));
    byte[] second = dump(fresh("copy"));

    assertThat(loaded.rows())
        .containsEntry("users", 3L)
        .containsEntry("nodes", 3L + 3 * 40 + sample.files.size())
        .containsEntry("grants", 2L)
        .containsOnlyKeys("users", "nodes", "versions", "blocks", "version_blocks", "grants");
    assertThat(loaded.rows().get("versions")).isGreaterThan(sample.files.size());
    // everything but the header's time of creation
    assertThat(lines(second).subList(1, lines(second).size()))
        .isEqualTo(lines(first).subList(1, lines(first).size()));
    assertThat(lines(first).get(0))
        .startsWith("{\"format\":\"edfs-metadata-dump\",\"version\":1,\"schema\":\"4\"");
    assertThat(lines(first).getLast()).startsWith("{\"end\":\"edfs-metadata-dump\",\"rows\":{");
    // versions' encrypted metadata travels (and came back identical, above)
    int header = lines(first).indexOf(lines(first).stream().filter(l -> l.startsWith("{\"table\":\"versions\"")).findFirst().orElseThrow());
    assertThat(lines(first).subList(header + 1, lines(first).size()).stream().takeWhile(l -> l.startsWith("[")))
        .anyMatch(l -> !l.endsWith(",null]"));
  }

  @ParameterizedTest(name = "schema {0}")
  @ValueSource(strings = {"1", "2", "3"})
  @DisplayName("loads a dump of an older schema, which lacks versions.meta (loaded as NULL)")
  void olderSchema(String schema) throws Exception {
    List<String> lines = new ArrayList<>();
    boolean inVersions = false;
    for (String line : lines(dump(source))) {
      if (line.startsWith("{")) {
        inVersions = line.startsWith("{\"table\":\"versions\"");
        if (inVersions) {
          assertThat(line).endsWith(",\"meta\"]}");
          line = line.replace(",\"meta\"]}", "]}");
        }
        line = line.replace("\"schema\":\"4\"", "\"schema\":\"" + schema + "\"");
      } else if (inVersions) {
        line = line.substring(0, line.lastIndexOf(',')) + "]"; // drop the row's last value, meta
      }
      lines.add(line);
    }
    assertThat(lines.get(0)).contains("\"schema\":\"" + schema + "\"");
    DumpSummary loaded = load(gzip(lines), fresh("from-schema-" + schema));
    assertThat(loaded.rows()).containsEntry("users", 3L);
    // dumped again, every version has no metadata
    List<String> versionRows = new ArrayList<>();
    boolean versions = false;
    for (String line : lines(dump(fresh("from-schema-" + schema)))) {
      if (line.startsWith("{")) {
        versions = line.startsWith("{\"table\":\"versions\"");
      } else if (versions) {
        versionRows.add(line);
      }
    }
    assertThat(versionRows).isNotEmpty().allMatch(l -> l.endsWith(",null]"));
  }

  @Test
  @DisplayName("lists nodes parents first, so every row's references precede it")
  void parentsFirst() throws Exception {
    List<String> seen = new ArrayList<>();
    boolean inNodes = false;
    for (String line : lines(dump(source))) {
      if (line.startsWith("{")) {
        inNodes = line.startsWith("{\"table\":\"nodes\"");
      } else if (inNodes) {
        String[] values = line.substring(1).split(",", 3);
        String parent = values[1];
        assertThat(parent.equals("null") || seen.contains(parent)).as(line).isTrue();
        seen.add(values[0]);
      }
    }
    assertThat(seen).hasSize(3 + 3 * 40 + sample.files.size());
  }

  @Test
  @DisplayName("to a file: readable by its owner only, and no file at all when the dump fails")
  void toFile() throws Exception {
    Path file = dir.resolve("meta.dump");
    DumpSummary summary = EdfsAdmin.dump(source, file);
    assertThat(summary.rows().get("users")).isEqualTo(3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(load(Files.readAllBytes(file), fresh("copy")).total()).isEqualTo(summary.total());

    Path other = dir.resolve("none.dump");
    assertThatThrownBy(() -> EdfsAdmin.dump(ServerConfig.defaults(dir.resolve("nowhere")), other))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no edfs database at");
    assertThat(other).doesNotExist();
    assertThat(dir.resolve("nowhere")).doesNotExist();
    assertThatThrownBy(() -> EdfsAdmin.dump(source, dir.resolve("missing/meta.dump")))
        .hasMessageContaining("there is no folder " + dir.resolve("missing"));
  }

  @Test
  @DisplayName("refuses a source with a node no home folder leads to")
  void unreachableNodes() throws Exception {
    try (Database db = MetadataDump.open(source, false)) {
      db.write(
          c -> {
            // two folders that are each other's parent
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE nodes SET parent_id = ? WHERE id = ?")) {
              ps.setString(1, sample.folders.get(1).toString());
              ps.setString(2, sample.folders.get(0).toString());
              ps.executeUpdate();
            }
            return null;
          });
    }
    assertThatThrownBy(() -> dump(source))
        .isInstanceOfSatisfying(
            DumpException.class, e -> assertThat(e.problem()).isEqualTo(Problem.INCONSISTENT_SOURCE))
        .hasMessageContaining("cannot be reached from any home folder");
  }

  @Nested
  @DisplayName("is refused when")
  class Refused {
    byte[] good;
    int targets;

    @BeforeEach
    void dumpIt() throws IOException {
      good = dump(source);
    }

    void refused(byte[] dump, Problem problem, String message) {
      // a refused load may leave part of the dump behind: each attempt gets its own target
      assertThatThrownBy(() -> load(dump, fresh("target-" + targets++)))
          .isInstanceOfSatisfying(DumpException.class, e -> assertThat(e.problem()).isEqualTo(problem))
          .hasMessageContaining(message);
    }

    @Test
    @DisplayName("the target database already holds users")
    void notEmpty() throws Exception {
      load(good, fresh("target"));
      assertThatThrownBy(() -> load(good, fresh("target")))
          .isInstanceOfSatisfying(
              DumpException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TARGET_NOT_EMPTY))
          .hasMessageContaining("the target database is not empty");
      assertThatThrownBy(() -> load(good, source))
          .hasMessageContaining("the target database is not empty (it holds users, nodes");
    }

    @Test
    @DisplayName("the file is cut short")
    void truncatedBytes() {
      refused(Arrays.copyOf(good, good.length * 2 / 3), Problem.TRUNCATED, "truncated");
      refused(Arrays.copyOf(good, 15), Problem.TRUNCATED, "truncated");
    }

    @Test
    @DisplayName("it ends at a line boundary before its footer")
    void truncatedLines() throws Exception {
      List<String> lines = lines(good);
      refused(gzip(lines.subList(0, lines.size() - 1)), Problem.TRUNCATED, "truncated");
      refused(gzip(lines.subList(0, lines.size() / 2)), Problem.TRUNCATED, "truncated");
    }

    @Test
    @DisplayName("a row is missing, so the footer's counts do not add up")
    void rowMissing() throws Exception {
      List<String> lines = new ArrayList<>(lines(good));
      lines.remove(lines.size() - 2);
      refused(gzip(lines), Problem.TRUNCATED, "footer counts 2 rows of table grants");
    }

    @Test
    @DisplayName("its format version is unknown")
    void unknownVersion() throws Exception {
      List<String> lines = new ArrayList<>(lines(good));
      lines.set(0, lines.get(0).replace("\"version\":1", "\"version\":2"));
      refused(gzip(lines), Problem.UNSUPPORTED_VERSION, "format version 2; this edfs reads version 1");
      lines.set(0, lines.get(0).replace("\"version\":2", "\"version\":1").replace("\"schema\":\"4\"", "\"schema\":\"7\""));
      refused(gzip(lines), Problem.UNSUPPORTED_VERSION, "schema version 7; this edfs loads schema 4");
    }

    @Test
    @DisplayName("it is no dump at all")
    void notADump() {
      refused("hello".getBytes(StandardCharsets.UTF_8), Problem.NOT_A_DUMP, "not gzip");
      refused(gzip(List.of("{\"format\":\"something else\"}")), Problem.NOT_A_DUMP, "no dump header");
      refused(gzip(List.of("[1,2,3]")), Problem.NOT_A_DUMP, "no dump header");
    }

    @Test
    @DisplayName("a row does not fit its table")
    void badRow() throws Exception {
      List<String> lines = new ArrayList<>(lines(good));
      int firstUser = 2;
      lines.set(firstUser, lines.get(firstUser).replaceFirst(",65536,", ",\"lots\","));
      refused(gzip(lines), Problem.CORRUPT, "VALUE_STRING for kdf_memory_kib in a row of table users");
      lines = new ArrayList<>(lines(good));
      lines.set(firstUser, "[\"x\"]");
      refused(gzip(lines), Problem.CORRUPT, "too few values in a row of table users");
    }

    @Test
    @DisplayName("its tables come in another order")
    void tableOrder() throws Exception {
      List<String> lines = new ArrayList<>(lines(good));
      // without the users table (its line and its 3 rows), nodes come first
      lines.subList(1, 5).clear();
      refused(gzip(lines), Problem.CORRUPT, "table 'nodes' where table 'users' should come");
    }
  }

  @Test
  @DisplayName("knows the newest schema: every table and column of it, and no other")
  void coversTheSchema() throws Exception {
    try (Database db = MetadataDump.open(source, false)) {
      assertThat(MetadataDump.schemaVersion(db.dialect())).isEqualTo(MetadataDump.SCHEMA);
      for (MetadataDump.Table t : MetadataDump.TABLES) {
        List<String> columns =
            db.read(
                c -> {
                  try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + t.name());
                      ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<String> names = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                      names.add(md.getColumnName(i));
                    }
                    return names;
                  }
                });
        assertThat(t.columnNames()).as(t.name()).containsExactlyInAnyOrderElementsOf(columns);
      }
      List<String> tables =
          db.read(
              c -> {
                List<String> names = new ArrayList<>();
                try (ResultSet rs =
                    c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                  while (rs.next()) {
                    names.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
                  }
                }
                return names;
              });
      List<String> dumped = MetadataDump.TABLES.stream().map(MetadataDump.Table::name).toList();
      // not dumped: login sessions (users log in again), worker leases, the cluster's secret check
      // (a node writes it at start), idempotency keys (kept a day), Flyway's own history
      assertThat(tables)
          .containsExactlyInAnyOrderElementsOf(
              concat(dumped, List.of("sessions", "leases", "cluster", "requests", "flyway_schema_history")));
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
