package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase.Engine;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The metadata store on SQLite")
class SqliteMetadataStoreIT extends MetadataStoreContract {
  @Override
  Engine engine() {
    return Engine.SQLITE;
  }
}
