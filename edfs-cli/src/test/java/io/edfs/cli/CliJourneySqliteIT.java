package io.edfs.cli;

import io.edfs.testdb.TestDatabase.Engine;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The edfs command line, end to end, metadata on SQLite")
class CliJourneySqliteIT extends CliJourney {
  @Override
  Engine engine() {
    return Engine.SQLITE;
  }
}
