package io.edfs.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a metadata dump holds, or what a load inserted: the schema version and the number of rows
 * of each table, in dump order.
 *
 * @param schema the metadata schema version of the rows, e.g. {@code 1}
 * @param rows rows per table, in the order the dump holds the tables
 */
public record DumpSummary(String schema, Map<String, Long> rows) {
  /** Copies {@code rows}, keeping its order. */
  public DumpSummary {
    Objects.requireNonNull(schema, "schema");
    rows = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(rows, "rows")));
  }

  /** The number of rows of all tables together. */
  public long total() {
    return rows.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One line for people, e.g. {@code users 3, nodes 120, versions 40, ...}. */
  public String describe() {
    return rows.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
