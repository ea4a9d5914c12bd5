package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase.Engine;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Garbage collection on PostgreSQL")
class PostgresGarbageCollectionIT extends GarbageCollectionContract {
  @Override
  Engine engine() {
    return Engine.POSTGRES;
  }
}
