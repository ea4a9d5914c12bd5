package io.edfs.testing;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every value of every table of a database, read through JDBC, as bytes: what someone who can read
 * the database sees. For checking that no plaintext reaches the server's metadata, on any engine.
 *
 * @param rows rows per table, in the order the tables were read
 * @param cells every non-null value: binary columns as they are, anything else as UTF-8 text
 */
public record DatabaseDump(Map<String, Integer> rows, List<Cell> cells) {
  /** One value: where it is and its bytes. */
  public record Cell(String table, String column, byte[] value) {}

  public DatabaseDump {
    rows = Map.copyOf(rows);
    cells = List.copyOf(cells);
  }

  /** Reads every table of the database {@code jdbcUrl} names (its default schema only). */
  public static DatabaseDump of(String jdbcUrl) throws SQLException {
    Map<String, Integer> rows = new LinkedHashMap<>();
    List<Cell> cells = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      DatabaseMetaData md = c.getMetaData();
      String quote = md.getIdentifierQuoteString().trim();
      List<String> tables = new ArrayList<>();
      try (ResultSet t = md.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
        while (t.next()) {
          tables.add(t.getString("TABLE_NAME"));
        }
      }
      for (String table : tables) {
        int n = 0;
        try (Statement st = c.createStatement();
            ResultSet r = st.executeQuery("SELECT * FROM " + quote + table + quote)) {
          ResultSetMetaData cols = r.getMetaData();
          while (r.next()) {
            n++;
            for (int i = 1; i <= cols.getColumnCount(); i++) {
              Object v = r.getObject(i);
              if (v != null) {
                byte[] bytes = v instanceof byte[] b ? b : String.valueOf(v).getBytes(StandardCharsets.UTF_8);
                cells.add(new Cell(table, cols.getColumnName(i), bytes));
              }
            }
          }
        }
        rows.put(table, n);
      }
    }
    return new DatabaseDump(rows, cells);
  }
}
