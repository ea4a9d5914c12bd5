package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The metadata store on MariaDB")
class MariaDbMetadataStoreIT extends MetadataStoreContract {
  @Override
  Engine engine() {
    return Engine.MARIADB;
  }

  @Override
  Dialect dialect(TestDatabase database, Path dir) {
    Assumptions.abort("no MariaDbDialect yet");
    throw new AssertionError("unreachable");
  }
}
