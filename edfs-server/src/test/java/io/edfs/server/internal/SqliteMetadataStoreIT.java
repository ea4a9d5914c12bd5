package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The metadata store on SQLite")
class SqliteMetadataStoreIT extends MetadataStoreContract {
  @Override
  Engine engine() {
    return Engine.SQLITE;
  }

  @Override
  Dialect dialect(TestDatabase database, Path dir) {
    return new SqliteDialect(Path.of(database.url().substring("jdbc:sqlite:".length())));
  }
}
