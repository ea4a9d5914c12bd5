package io.edfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("A private database server")
class PrivateDatabaseServerIT {
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"MARIADB", "POSTGRES"})
  @DisplayName("keeps committed rows across SIGKILL and restart, refuses connections while down, and leaves nothing behind")
  void killAndRestart(Engine engine) throws Exception {
    Path dir;
    try (PrivateDatabaseServer db = PrivateDatabaseServer.start(engine)) {
      dir = db.folder();
      assertThat(db.port()).isNotIn(3306, 5432);
      try (Connection c = DriverManager.getConnection(db.jdbcUrl());
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE t (k INT PRIMARY KEY, v VARCHAR(20))");
        st.execute("INSERT INTO t VALUES (1, 'committed')");
      }
      db.kill();
      assertThat(db.isAlive()).isFalse();
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl()).close()).isInstanceOf(SQLException.class);
      db.restart();
      try (Connection c = DriverManager.getConnection(db.jdbcUrl());
          Statement st = c.createStatement();
          ResultSet r = st.executeQuery("SELECT v FROM t WHERE k = 1")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo("committed");
      }
      assertThat(DatabaseDump.of(db.jdbcUrl()).rows()).containsEntry("t", 1);
    }
    assertThat(Files.exists(dir)).isFalse();
  }
}
