package io.edfs.server.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What must hold in the metadata database after any sequence of requests, read straight from the
 * tables: no orphans, no cycles, every subtree under one owner, quotas and block refs exact (a
 * doomed block, refs -1, is listed by no version). Each
 * check returns one line per violation, naming the rows, so a failing test says what broke.
 */
final class MetadataInvariants {
  private MetadataInvariants() {}

  /** Every violation found in the database; empty when all is well. */
  static List<String> violations(Database db) {
    return db.read(
        c -> {
          List<String> found = new ArrayList<>();
          orphans(c, found);
          tree(c, found);
          currentVersions(c, found);
          quotas(c, found);
          blockRefs(c, found);
          return found;
        });
  }

  private static void orphans(Connection c, List<String> found) throws SQLException {
    rows(
        c,
        found,
        "node without its parent: ",
        "SELECT n.id FROM nodes n WHERE n.parent_id IS NOT NULL"
            + " AND NOT EXISTS (SELECT 1 FROM nodes p WHERE p.id = n.parent_id)");
    rows(
        c,
        found,
        "node without its owner: ",
        "SELECT n.id FROM nodes n WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id ="
            + " n.owner_id)");
    rows(
        c,
        found,
        "version without its node: ",
        "SELECT v.id FROM versions v"
            + " WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = v.node_id)");
    rows(
        c,
        found,
        "version on a folder: ",
        "SELECT v.id FROM versions v JOIN nodes n ON n.id = v.node_id WHERE n.kind <> 'F'");
    rows(
        c,
        found,
        "block list without its version: ",
        "SELECT vb.version_id FROM version_blocks vb"
            + " WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = vb.version_id)");
    rows(
        c,
        found,
        "block list naming an unknown block: ",
        "SELECT vb.block_hash FROM version_blocks vb"
            + " WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.hash = vb.block_hash)");
    rows(
        c,
        found,
        "grant without its node: ",
        "SELECT g.node_id FROM grants g"
            + " WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = g.node_id)");
    rows(
        c,
        found,
        "user whose home folder is missing: ",
        "SELECT u.id FROM users u WHERE NOT EXISTS"
            + " (SELECT 1 FROM nodes n WHERE n.id = u.home_node_id AND n.parent_id IS NULL)");
  }

  /** Walks parent_id from every node: each must reach its owner's home folder, without a cycle. */
  private static void tree(Connection c, List<String> found) throws SQLException {
    Map<String, String> parent = new HashMap<>();
    Map<String, String> owner = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, parent_id, owner_id FROM nodes");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        parent.put(rs.getString(1), rs.getString(2));
        owner.put(rs.getString(1), rs.getString(3));
      }
    }
    Map<String, String> homes = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT home_node_id, id FROM users");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        homes.put(rs.getString(1), rs.getString(2));
      }
    }
    for (Map.Entry<String, String> e : parent.entrySet()) {
      String up = e.getValue();
      if (up != null && owner.containsKey(up) && !owner.get(up).equals(owner.get(e.getKey()))) {
        found.add("node " + e.getKey() + " and its parent " + up + " have different owners");
      }
    }
    for (String start : parent.keySet()) {
      Set<String> seen = new HashSet<>();
      String at = start;
      while (parent.containsKey(at) && seen.add(at) && parent.get(at) != null) {
        at = parent.get(at);
      }
      if (!parent.containsKey(at)) {
        continue; // reported as an orphan
      }
      if (parent.get(at) != null) {
        found.add("node " + start + " is on or above a cycle through " + at);
      } else if (!owner.get(start).equals(homes.get(at))) {
        found.add("node " + start + " does not lead up to its owner's home folder but to " + at);
      }
    }
  }

  private static void currentVersions(Connection c, List<String> found) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT n.id, n.kind, n.size, n.current_version_id, v.node_id, v.size"
                    + " FROM nodes n LEFT JOIN versions v ON v.id = n.current_version_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        String current = rs.getString(4);
        if (current == null) {
          if (rs.getLong(3) != 0) {
            found.add("node " + id + " has no version but size " + rs.getLong(3));
          }
        } else if (!id.equals(rs.getString(5))) {
          found.add("node " + id + " has current version " + current + " of another or no node");
        } else if (rs.getLong(3) != rs.getLong(6)) {
          found.add("node " + id + " has size " + rs.getLong(3) + ", its version " + rs.getLong(6));
        }
      }
    }
  }

  /** used_bytes is the sum of the sizes of every kept version of the user's files. */
  private static void quotas(Connection c, List<String> found) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT u.id, u.used_bytes, u.quota_bytes, (SELECT COALESCE(SUM(v.size), 0)"
                    + " FROM versions v JOIN nodes n ON n.id = v.node_id"
                    + " WHERE n.owner_id = u.id) AS kept FROM users u");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long used = rs.getLong(2);
        long kept = rs.getLong(4);
        if (used != kept) {
          found.add("user " + rs.getString(1) + " has used_bytes " + used + " but keeps " + kept);
        }
        if (used > rs.getLong(3)) {
          found.add("user " + rs.getString(1) + " uses " + used + " of " + rs.getLong(3));
        }
      }
    }
  }

  private static void blockRefs(Connection c, List<String> found) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT b.hash, b.refs, (SELECT COUNT(*) FROM version_blocks vb"
                    + " WHERE vb.block_hash = b.hash) AS uses FROM blocks b");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        // a doomed block (refs -1) is one no version lists
        boolean doomedUnused = rs.getLong(2) == VersionStore.DOOMED && rs.getLong(3) == 0;
        if (rs.getLong(2) != rs.getLong(3) && !doomedUnused) {
          found.add(
              "block "
                  + rs.getString(1)
                  + " has refs "
                  + rs.getLong(2)
                  + " but "
                  + rs.getLong(3)
                  + " uses");
        }
      }
    }
  }

  private static void rows(Connection c, List<String> found, String what, String sql)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(what + Objects.toString(rs.getString(1)));
      }
    }
  }
}
