package io.edfs.server.internal;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * What every node of a cluster must agree on, kept in table {@code cluster} and checked when a node
 * starts. Today one fact: which server secret (password pepper) the cluster uses. A node started
 * with another secret would answer "wrong password" to every user, so it refuses to start instead.
 */
final class ClusterFacts {
  static final String SECRET_CHECK = "secret-check";

  private ClusterFacts() {}

  /**
   * Records this node's secret check on the cluster's first start, or compares it with the
   * recorded one.
   *
   * @throws IllegalStateException if the cluster uses another secret
   */
  static void checkSecret(Database db, ServerSecret secret, Path secretFile) {
    String mine = secret.checkValue();
    String recorded =
        db.write(
            c -> {
              try (PreparedStatement ins =
                  c.prepareStatement(
                      db.dialect()
                          .upsert("cluster", List.of("name", "value"), List.of("name"), List.of()))) {
                ins.setString(1, SECRET_CHECK);
                ins.setString(2, mine);
                ins.executeUpdate();
              }
              try (PreparedStatement q =
                  c.prepareStatement("SELECT value FROM cluster WHERE name = ?")) {
                q.setString(1, SECRET_CHECK);
                try (ResultSet rs = q.executeQuery()) {
                  rs.next();
                  return rs.getString(1);
                }
              }
            });
    if (!recorded.equals(mine)) {
      throw new IllegalStateException(
          "the server secret "
              + secretFile
              + " is not the one this database's other nodes use: every node of a cluster needs"
              + " the same server.secret; copy it from a node that already serves this database"
              + " (a new secret would make every password fail)");
    }
  }
}
