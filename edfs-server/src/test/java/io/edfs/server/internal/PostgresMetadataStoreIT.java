package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The metadata store on PostgreSQL")
class PostgresMetadataStoreIT extends MetadataStoreContract {
  @Override
  Engine engine() {
    return Engine.POSTGRES;
  }

  @Override
  Dialect dialect(TestDatabase database, Path dir) {
    Assumptions.abort("no PostgresDialect yet");
    throw new AssertionError("unreachable");
  }
}
