package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase.Engine;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Garbage collection on SQLite")
class SqliteGarbageCollectionIT extends GarbageCollectionContract {
  @Override
  Engine engine() {
    return Engine.SQLITE;
  }
}
