package io.edfs.server.internal;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edfs.server.DumpException;
import io.edfs.server.DumpException.Problem;
import io.edfs.server.DumpSummary;
import io.edfs.server.ServerConfig;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * The logical dump of all metadata, format {@value #VERSION}: what moves an installation from one
 * engine to another. The implementation behind {@link io.edfs.server.EdfsAdmin}.
 *
 * <p>A dump is a gzip'd stream of JSON lines, the same on every engine:
 *
 * <pre>
 * {"format":"edfs-metadata-dump","version":1,"schema":"1","engine":"sqlite","createdAt":"..."}
 * {"table":"users","columns":["id","username",...]}
 * ["0b6e...","alice",...]                   one array per row, columns in the order above
 * {"table":"nodes","columns":[...]}
 * ...
 * {"end":"edfs-metadata-dump","rows":{"users":3,"nodes":120,...}}
 * </pre>
 *
 * Tables come in foreign-key order ({@link #TABLES}), nodes parents first, so a load inserts each
 * row after what it references. Text is a JSON string, integers are numbers, bytes are base64
 * (RFC 4648, padded), SQL null is {@code null}. The footer's counts reveal a truncated dump.
 * Sessions, leases and idempotency keys are not dumped: users log in again, a worker takes a lease
 * anew, and a client sends no change again across a move between databases.
 *
 * <p>A dump is written in one read transaction (one consistent snapshot), row by row: memory
 * stays flat whatever the size. A load inserts {@value #BATCH_ROWS} rows per transaction into an
 * empty database, then checks the footer.
 */
public final class MetadataDump {
  static final String FORMAT = "edfs-metadata-dump";
  static final int VERSION = 1;

  /** The schema version whose tables and columns {@link #TABLES} lists. */
  static final String SCHEMA = "4";

  /**
   * Schemas whose dumps load into {@link #SCHEMA}: version 2 only added the {@code cluster} table
   * and version 3 the {@code requests} table, neither dumped, so version 1, 2 and 3 dumps have
   * exactly the same tables and columns; version 4 added {@code versions.meta} (see {@link
   * #ADDED}).
   */
  static final Set<String> LOADABLE = Set.of("1", "2", "3", SCHEMA);

  /**
   * Columns that dumps of older schemas lack, always last in their table and nullable: such a
   * dump loads with them NULL.
   */
  static final Set<String> ADDED = Set.of("versions.meta");

  static final int BATCH_ROWS = 1000;
  // rows a driver fetches per round trip; PostgreSQL and MariaDB stream only when it is set
  private static final int FETCH_ROWS = 1000;
  private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS;
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetadataDump() {}

  /** How a column travels: as a JSON string, number or base64 string. */
  enum Kind {
    TEXT(Types.VARCHAR),
    INT(Types.INTEGER),
    LONG(Types.BIGINT),
    BYTES(Types.VARBINARY);

    final int sqlType;

    Kind(int sqlType) {
      this.sqlType = sqlType;
    }
  }

  record Column(String name, Kind kind) {}

  /** A dumped table: its columns in dump order and the query that reads them in load order. */
  record Table(String name, List<Column> columns, String select) {
    List<String> columnNames() {
      return columns.stream().map(Column::name).toList();
    }

    String insert() {
      return "INSERT INTO "
          + name
          + " ("
          + String.join(", ", columnNames())
          + ") VALUES ("
          + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
          + ")";
    }
  }

  private static Table table(String name, String orderBy, Column... columns) {
    String cols = List.of(columns).stream().map(Column::name).collect(Collectors.joining(", "));
    return new Table(
        name, List.of(columns), "SELECT " + cols + " FROM " + name + " ORDER BY " + orderBy);
  }

  private static Column text(String name) {
    return new Column(name, Kind.TEXT);
  }

  private static Column integer(String name) {
    return new Column(name, Kind.INT);
  }

  private static Column bigint(String name) {
    return new Column(name, Kind.LONG);
  }

  private static Column bytes(String name) {
    return new Column(name, Kind.BYTES);
  }

  private static final List<Column> NODE_COLUMNS =
      List.of(
          text("id"),
          text("parent_id"),
          text("owner_id"),
          text("kind"),
          bytes("enc_name"),
          bytes("wrapped_key"),
          text("current_version_id"),
          bigint("size"),
          bigint("created_at"),
          bigint("modified_at"));

  // Parents before children: breadth first from the home folders. Only (depth, id) pass
  // through the engine's sort, which spills to disk when large; a node no home folder leads to
  // is left out here and caught by comparing counts.
  private static final String NODES_PARENTS_FIRST =
      "WITH RECURSIVE subtree (id, depth) AS ("
          + " SELECT id, 0 FROM nodes WHERE parent_id IS NULL"
          + " UNION ALL"
          + " SELECT n.id, s.depth + 1 FROM nodes n JOIN subtree s ON n.parent_id = s.id)"
          + " SELECT "
          + NODE_COLUMNS.stream().map(c -> "n." + c.name()).collect(Collectors.joining(", "))
          + " FROM subtree s JOIN nodes n ON n.id = s.id ORDER BY s.depth, n.id";

  /** Every dumped table, in foreign-key order (schema {@value #SCHEMA}). */
  static final List<Table> TABLES =
      List.of(
          table(
              "users",
              "id",
              text("id"),
              text("username"),
              bytes("auth_hash"),
              bytes("kdf_salt"),
              integer("kdf_memory_kib"),
              integer("kdf_iterations"),
              integer("kdf_parallelism"),
              bytes("public_keys"),
              bytes("private_keys_enc"),
              bytes("recovery_enc"),
              text("home_node_id"),
              bigint("quota_bytes"),
              bigint("used_bytes"),
              bigint("created_at")),
          new Table("nodes", NODE_COLUMNS, NODES_PARENTS_FIRST),
          table(
              "versions",
              "id",
              text("id"),
              text("node_id"),
              bigint("seq"),
              bigint("size"),
              integer("segment_size"),
              text("author_id"),
              bigint("created_at"),
              bytes("meta")),
          table("blocks", "hash", text("hash"), bigint("length"), bigint("refs"), bigint("created_at")),
          table(
              "version_blocks",
              "version_id, idx",
              text("version_id"),
              integer("idx"),
              text("block_hash"),
              bigint("length")),
          table(
              "grants",
              "node_id, grantee_id",
              text("node_id"),
              text("grantee_id"),
              text("mode"),
              bytes("sealed_key"),
              text("granted_by"),
              bigint("created_at")));

  // ---------------------------------------------------------------- dump

  /** Writes a dump of the database of {@code config} to {@code out}, which stays open. */
  public static DumpSummary dump(ServerConfig config, OutputStream out) throws IOException {
    try (Database db = open(config, false)) {
      return dump(db, out);
    }
  }

  /**
   * Writes a dump of the database of {@code config} to {@code file} (mode 0600), atomically: if
   * anything fails, {@code file} is left as it was.
   */
  public static DumpSummary dump(ServerConfig config, Path file) throws IOException {
    Path folder = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(folder)) {
      throw new IOException("cannot write " + file + ": there is no folder " + folder);
    }
    try (Database db = open(config, false)) {
      return PrivateFiles.writeAtomically(file, out -> dump(db, out));
    }
  }

  static DumpSummary dump(Database db, OutputStream out) throws IOException {
    String schema = schemaVersion(db.dialect());
    if (!schema.equals(SCHEMA)) {
      throw new DumpException(
          Problem.UNSUPPORTED_VERSION,
          "the database has schema version " + schema + "; this edfs dumps schema " + SCHEMA);
    }
    GZIPOutputStream gzip = new FastGzip(new UnclosedOutputStream(out));
    Map<String, Long> counts;
    try (JsonGenerator json = JSON.getFactory().createGenerator(gzip)) {
      json.setRootValueSeparator(new SerializedString("\n"));
      json.writeStartObject();
      json.writeStringField("format", FORMAT);
      json.writeNumberField("version", VERSION);
      json.writeStringField("schema", schema);
      json.writeStringField("engine", db.dialect().name());
      json.writeStringField("createdAt", Instant.now().toString());
      json.writeEndObject();
      AtomicBoolean started = new AtomicBoolean();
      try {
        counts =
            db.read(
                c -> {
                  // what went out cannot be taken back: a transaction run again must not write
                  if (!started.compareAndSet(false, true)) {
                    throw new UncheckedIOException(
                        new IOException(
                            "the connection to the database broke during the dump; dump again"));
                  }
                  return writeTables(c, json);
                });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } catch (Database.StorageException e) {
        throw new IOException("reading the database failed: " + e.getMessage(), e);
      }
      json.writeStartObject();
      json.writeStringField("end", FORMAT);
      json.writeObjectFieldStart("rows");
      for (var e : counts.entrySet()) {
        json.writeNumberField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
      json.writeRaw('\n');
    }
    return new DumpSummary(schema, counts);
  }

  /** Gzip at its fastest level: most of a dump is ciphertext and random ids, which never shrink. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** Passes writes through but leaves the stream open: the caller owns it. */
  private static final class UnclosedOutputStream extends FilterOutputStream {
    UnclosedOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  private static Map<String, Long> writeTables(java.sql.Connection c, JsonGenerator json)
      throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try {
      for (Table t : TABLES) {
        json.writeStartObject();
        json.writeStringField("table", t.name());
        json.writeArrayFieldStart("columns");
        for (Column col : t.columns()) {
          json.writeString(col.name());
        }
        json.writeEndArray();
        json.writeEndObject();
        long rows = 0;
        try (PreparedStatement ps =
            c.prepareStatement(t.select(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
          ps.setFetchSize(FETCH_ROWS);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              writeRow(rs, t, json);
              rows++;
            }
          }
        }
        if (t.name().equals("nodes")) {
          long all = count(c, "nodes");
          if (all != rows) {
            throw new UncheckedIOException(
                new DumpException(
                    Problem.INCONSISTENT_SOURCE,
                    (all - rows)
                        + " of "
                        + all
                        + " nodes cannot be reached from any home folder; the database is"
                        + " inconsistent and was not dumped"));
          }
        }
        counts.put(t.name(), rows);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counts;
  }

  private static void writeRow(ResultSet rs, Table t, JsonGenerator json)
      throws SQLException, IOException {
    json.writeStartArray();
    int i = 1;
    for (Column col : t.columns()) {
      switch (col.kind()) {
        case TEXT -> {
          String s = rs.getString(i);
          if (s == null) {
            json.writeNull();
          } else {
            json.writeString(s);
          }
        }
        case INT, LONG -> {
          long v = rs.getLong(i);
          if (rs.wasNull()) {
            json.writeNull();
          } else {
            json.writeNumber(v);
          }
        }
        case BYTES -> {
          byte[] b = rs.getBytes(i);
          if (b == null) {
            json.writeNull();
          } else {
            json.writeBinary(BASE64, b, 0, b.length);
          }
        }
      }
      i++;
    }
    json.writeEndArray();
  }

  private static long count(java.sql.Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ---------------------------------------------------------------- load

  /**
   * Loads a dump from {@code in} (which stays open) into the database of {@code config}, which
   * must hold no metadata yet (its schema is created or migrated first).
   */
  public static DumpSummary load(InputStream in, ServerConfig config) throws IOException {
    return read(
        in,
        schema -> {
          Database db = open(config, true);
          try {
            requireLoadable(db);
            return new Inserter(db);
          } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
          }
        });
  }

  /**
   * Reads a dump from {@code in} (which stays open), handing every row of tables {@code blocks}
   * and {@code version_blocks} to {@code visitor} in dump order (all blocks rows first), and
   * checks its footer: what a backup needs to know of a snapshot, without holding it in memory.
   */
  public static DumpSummary scanBlocks(InputStream in, BlockRowVisitor visitor) throws IOException {
    return read(
        in,
        schema ->
            new RowSink() {
              @Override
              public void row(Table t, Object[] row) throws IOException {
                switch (t.name()) {
                  case "blocks" ->
                      visitor.block(
                          (String) required(row, 0, t), (Long) required(row, 1, t),
                          (Long) required(row, 2, t));
                  case "version_blocks" -> visitor.reference((String) required(row, 2, t));
                  default -> {}
                }
              }
            });
  }

  private static Object required(Object[] row, int column, Table t) throws DumpException {
    if (row[column] == null) {
      throw new DumpException(
          Problem.CORRUPT,
          "the dump has a row of table " + t.name() + " without " + t.columns().get(column).name());
    }
    return row[column];
  }

  /** Receives the block rows of a dump (see {@link #scanBlocks}). */
  public interface BlockRowVisitor {
    /** A {@code blocks} row: a stored block, and how many version entries refer to it. */
    void block(String hash, long length, long refs) throws IOException;

    /** A {@code version_blocks} row's block: called once per entry, so a hash may repeat. */
    void reference(String hash) throws IOException;
  }

  /** Where the rows of a dump being read go; closed once the footer was checked, or on failure. */
  interface RowSink extends AutoCloseable {
    void row(Table t, Object[] row) throws IOException;

    /** Every row of {@code t} has been handed over. */
    default void tableEnd(Table t) throws IOException {}

    @Override
    default void close() {}
  }

  /** Opens the sink once the header was read and found loadable. */
  @FunctionalInterface
  private interface SinkFactory {
    RowSink open(String schema) throws IOException;
  }

  private static DumpSummary read(InputStream in, SinkFactory sinks) throws IOException {
    try (JsonParser json = parser(in)) {
      String schema = readHeader(json);
      try (RowSink sink = sinks.open(schema)) {
        return new DumpSummary(schema, readTables(json, sink));
      }
    } catch (EOFException e) {
      throw truncated(e);
    } catch (StreamReadException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("Unexpected end-of-input")) {
        throw truncated(e);
      }
      throw new DumpException(
          Problem.CORRUPT, "the dump is malformed: " + e.getOriginalMessage(), e);
    } catch (ZipException e) {
      throw new DumpException(Problem.CORRUPT, "the dump is damaged: " + e.getMessage(), e);
    }
  }

  /**
   * Fails unless a dump can be loaded into {@code db}: its schema is this edfs's and it holds no
   * metadata yet.
   */
  static void requireLoadable(Database db) throws DumpException {
    String target = schemaVersion(db.dialect());
    if (!target.equals(SCHEMA)) {
      throw new DumpException(
          Problem.UNSUPPORTED_VERSION,
          "the target database has schema version " + target + "; this edfs loads schema "
              + SCHEMA);
    }
    requireEmpty(db);
  }

  /** Inserts rows in batches of {@value #BATCH_ROWS}, one transaction each. */
  private static final class Inserter implements RowSink {
    private final Database db;
    private final List<Object[]> batch = new ArrayList<>(BATCH_ROWS);
    private Table table;
    private long rows; // of table, so far

    Inserter(Database db) {
      this.db = db;
    }

    @Override
    public void row(Table t, Object[] row) throws IOException {
      if (t != table) {
        table = t;
        rows = 0;
      }
      batch.add(row);
      rows++;
      if (batch.size() == BATCH_ROWS) {
        tableEnd(t);
      }
    }

    @Override
    public void tableEnd(Table t) throws IOException {
      if (!batch.isEmpty()) {
        insert(db, t, batch, rows);
        batch.clear();
      }
    }

    @Override
    public void close() {
      db.close();
    }
  }

  private static DumpException truncated(Exception e) {
    return new DumpException(
        Problem.TRUNCATED,
        "the dump ends early: it is truncated (copy it again); the target database may now hold"
            + " part of it: drop it and create it empty before loading again",
        e);
  }

  private static JsonParser parser(InputStream in) throws IOException {
    InputStream gzip;
    try {
      // the caller owns in
      gzip =
          new GZIPInputStream(
              new FilterInputStream(in) {
                @Override
                public void close() {}
              },
              1 << 16);
    } catch (ZipException | EOFException e) {
      throw new DumpException(
          Problem.NOT_A_DUMP, "not an edfs metadata dump (not gzip compressed)", e);
    }
    return JSON.createParser(gzip);
  }

  private static String readHeader(JsonParser json) throws IOException {
    JsonNode header;
    try {
      header = json.nextToken() == JsonToken.START_OBJECT ? json.readValueAsTree() : null;
    } catch (JsonProcessingException e) {
      header = null;
    }
    if (header == null || !FORMAT.equals(header.path("format").asText())) {
      throw new DumpException(
          Problem.NOT_A_DUMP, "not an edfs metadata dump (its first line is no dump header)");
    }
    int version = header.path("version").asInt(-1);
    if (version != VERSION) {
      throw new DumpException(
          Problem.UNSUPPORTED_VERSION,
          "the dump has format version "
              + header.path("version")
              + "; this edfs reads version "
              + VERSION
              + " (load it with the edfs release that wrote it, or a newer one)");
    }
    String schema = header.path("schema").asText();
    if (!LOADABLE.contains(schema)) {
      throw new DumpException(
          Problem.UNSUPPORTED_VERSION,
          "the dump has schema version "
              + (schema.isEmpty() ? "(none)" : schema)
              + "; this edfs loads schema "
              + SCHEMA
              + " (load it with the edfs release that wrote it, or a newer one)");
    }
    return schema;
  }

  private static void requireEmpty(Database db) throws DumpException {
    List<String> filled =
        db.read(
            c -> {
              List<String> names = new ArrayList<>();
              for (Table t : TABLES) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + t.name())) {
                  ps.setMaxRows(1);
                  try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                      names.add(t.name());
                    }
                  }
                }
              }
              return names;
            });
    if (!filled.isEmpty()) {
      throw new DumpException(
          Problem.TARGET_NOT_EMPTY,
          "the target database is not empty (it holds "
              + String.join(", ", filled)
              + "); load into a new, empty database");
    }
  }

  private static Map<String, Long> readTables(JsonParser json, RowSink sink) throws IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    int next = 0;
    Table table = null;
    int width = 0; // how many of the table's columns the dump has
    for (JsonToken token = json.nextToken(); ; token = json.nextToken()) {
      if (token == null) {
        throw truncated(new EOFException("no footer"));
      }
      if (token == JsonToken.START_ARRAY) {
        if (table == null) {
          throw new DumpException(Problem.CORRUPT, "the dump has a row before any table line");
        }
        sink.row(table, readRow(json, table, width));
        counts.merge(table.name(), 1L, Long::sum);
        continue;
      }
      if (token != JsonToken.START_OBJECT) {
        throw new DumpException(
            Problem.CORRUPT, "the dump is malformed: unexpected " + token + " between lines");
      }
      JsonNode line = json.readValueAsTree();
      if (table != null) {
        sink.tableEnd(table);
      }
      if (line.has("end")) {
        verifyFooter(line, counts, next);
        if (json.nextToken() != null) {
          throw new DumpException(Problem.CORRUPT, "the dump goes on after its footer");
        }
        return counts;
      }
      String name = line.path("table").asText();
      if (next == TABLES.size() || !TABLES.get(next).name().equals(name)) {
        throw new DumpException(
            Problem.CORRUPT,
            "the dump has table '"
                + name
                + "' where "
                + (next == TABLES.size() ? "its footer" : "table '" + TABLES.get(next).name() + "'")
                + " should come");
      }
      table = TABLES.get(next++);
      List<String> columns = new ArrayList<>();
      line.path("columns").forEach(c -> columns.add(c.asText()));
      List<String> expected = table.columnNames();
      String tableName = table.name();
      boolean olderSchema =
          columns.size() < expected.size()
              && columns.equals(expected.subList(0, columns.size()))
              && expected.subList(columns.size(), expected.size()).stream()
                  .allMatch(c -> ADDED.contains(tableName + "." + c));
      if (!columns.equals(expected) && !olderSchema) {
        throw new DumpException(
            Problem.CORRUPT,
            "the dump's columns of table "
                + name
                + " are "
                + columns
                + ", expected "
                + expected);
      }
      width = columns.size();
      counts.put(name, 0L);
    }
  }

  private static Object[] readRow(JsonParser json, Table t, int width) throws IOException {
    Object[] row = new Object[t.columns().size()];
    for (int i = 0; i < width; i++) {
      JsonToken token = json.nextToken();
      Column col = t.columns().get(i);
      if (token == JsonToken.VALUE_NULL) {
        continue;
      }
      row[i] =
          switch (col.kind()) {
            case TEXT -> expect(json, token, JsonToken.VALUE_STRING, t, col).getText();
            case INT -> expect(json, token, JsonToken.VALUE_NUMBER_INT, t, col).getIntValue();
            case LONG -> expect(json, token, JsonToken.VALUE_NUMBER_INT, t, col).getLongValue();
            case BYTES -> expect(json, token, JsonToken.VALUE_STRING, t, col).getBinaryValue(BASE64);
          };
    }
    if (json.nextToken() != JsonToken.END_ARRAY) {
      throw new DumpException(
          Problem.CORRUPT,
          "the dump has a row of table " + t.name() + " with more than " + width + " values");
    }
    return row;
  }

  private static JsonParser expect(
      JsonParser json, JsonToken actual, JsonToken expected, Table t, Column col)
      throws DumpException {
    if (actual != expected) {
      throw new DumpException(
          Problem.CORRUPT,
          "the dump has "
              + (actual == JsonToken.END_ARRAY ? "too few values" : actual + " for " + col.name())
              + " in a row of table "
              + t.name()
              + " (line "
              + json.currentLocation().getLineNr()
              + ")");
    }
    return json;
  }

  private static void insert(Database db, Table t, List<Object[]> rows, long upTo)
      throws IOException {
    // the batch is in memory, so a retried transaction inserts exactly the same rows again
    try {
      db.write(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(t.insert())) {
              for (Object[] row : rows) {
                bind(ps, t, row);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
    } catch (Database.StorageException e) {
      throw new IOException(
          "inserting rows "
              + (upTo - rows.size() + 1)
              + ".."
              + upTo
              + " of table "
              + t.name()
              + " failed: "
              + ServerConfig.redact(e.getMessage())
              + "; the target database now holds part of the dump: drop it and create it empty"
              + " before loading again",
          e);
    }
  }

  private static void bind(PreparedStatement ps, Table t, Object[] row) throws SQLException {
    for (int i = 0; i < row.length; i++) {
      Kind kind = t.columns().get(i).kind();
      Object v = row[i];
      if (v == null) {
        ps.setNull(i + 1, kind.sqlType);
        continue;
      }
      switch (kind) {
        case TEXT -> ps.setString(i + 1, (String) v);
        case INT -> ps.setInt(i + 1, (Integer) v);
        case LONG -> ps.setLong(i + 1, (Long) v);
        case BYTES -> ps.setBytes(i + 1, (byte[]) v);
      }
    }
  }

  private static void verifyFooter(JsonNode footer, Map<String, Long> counts, int tablesSeen)
      throws DumpException {
    if (tablesSeen != TABLES.size()) {
      throw new DumpException(
          Problem.CORRUPT,
          "the dump ends without table '" + TABLES.get(tablesSeen).name() + "' and those after it");
    }
    JsonNode declared = footer.path("rows");
    for (var e : counts.entrySet()) {
      long expected = declared.path(e.getKey()).asLong(-1);
      if (expected != e.getValue()) {
        throw new DumpException(
            Problem.TRUNCATED,
            "the dump's footer counts "
                + expected
                + " rows of table "
                + e.getKey()
                + " but the dump holds "
                + e.getValue()
                + ": it is damaged or truncated; the target database now holds part of it: drop"
                + " it and create it empty before loading again");
      }
    }
  }

  // ---------------------------------------------------------------- databases

  /** The schema version Flyway has applied to the database. */
  static String schemaVersion(Dialect dialect) {
    MigrationInfo current =
        Flyway.configure(MetadataDump.class.getClassLoader())
            .dataSource(dialect.dataSource())
            .locations(dialect.migrations())
            .load()
            .info()
            .current();
    return current == null ? "0" : current.getVersion().getVersion();
  }

  /**
   * Opens (and migrates) the database of {@code config}. For a dump ({@code create} false) a
   * SQLite file must exist already: a mistyped path must not turn into an empty dump.
   */
  static Database open(ServerConfig config, boolean create) throws IOException {
    Path dataDir = config.dataDir().toAbsolutePath();
    String url = config.database();
    if (url == null || url.startsWith("jdbc:sqlite:")) {
      Path file =
          url == null
              ? dataDir.resolve(Dialects.DEFAULT_SQLITE_FILE)
              : Path.of(url.substring("jdbc:sqlite:".length()));
      if (!create && !Files.isRegularFile(file)) {
        throw new IOException("no edfs database at " + file);
      }
      if (create && url == null) {
        PrivateFiles.createPrivateDirectory(dataDir);
      }
    }
    Dialect dialect = Dialects.forUrl(url, dataDir);
    try {
      return Database.open(dialect);
    } catch (SQLException | RuntimeException e) {
      dialect.close();
      throw new IOException("cannot open the " + dialect.describe() + ": " + firstCause(e), e);
    }
  }

  /** The database of {@code config}, for messages: never with its password. */
  public static String describe(ServerConfig config) {
    try (Dialect dialect = Dialects.forUrl(config.database(), config.dataDir().toAbsolutePath())) {
      return dialect.describe();
    }
  }

  /** The first line of the innermost cause's message, the one that says what failed. */
  private static String firstCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.toString() : root.getMessage();
    return ServerConfig.redact(m.lines().findFirst().orElse(m));
  }
}
