package io.edfs.server.internal;

import io.edfs.testdb.TestDatabase.Engine;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The metadata store on MariaDB")
class MariaDbMetadataStoreIT extends MetadataStoreContract {
  @Override
  Engine engine() {
    return Engine.MARIADB;
  }
}
