package io.edfs.server;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The metadata engine the server ITs run on: SQLite unless the system property {@code
 * edfs.test.engine} says {@code mariadb} or {@code postgres} (the build runs the ITs once per
 * engine). Each call makes a fresh database, dropped when the test JVM exits.
 */
final class TestEngine {
  private TestEngine() {}

  static Engine engine() {
    return Engine.valueOf(System.getProperty("edfs.test.engine", "sqlite").toUpperCase(Locale.ROOT));
  }

  /** A server configuration on an ephemeral port, with its data in {@code dir}, on the engine. */
  static ServerConfig config(Path dir) {
    ServerConfig config = ServerConfig.defaults(dir).withPort(0);
    if (engine() == Engine.SQLITE) {
      return config;
    }
    TestDatabase db = TestDatabase.create(engine(), dir);
    Runtime.getRuntime().addShutdownHook(new Thread(db::close, "drop-" + db.name()));
    return config.withDatabase(db.url());
  }
}
