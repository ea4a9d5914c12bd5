package io.edfs.server.internal;

import static io.edfs.server.FsckReport.Kind.CORRUPT_BLOCK;
import static io.edfs.server.FsckReport.Kind.LOST_VERSION;
import static io.edfs.server.FsckReport.Kind.MISSING_BLOCK;
import static io.edfs.server.FsckReport.Kind.WRONG_REFS;
import static io.edfs.server.FsckReport.Kind.WRONG_USED_BYTES;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.server.EdfsAdmin;
import io.edfs.server.FsckReport;
import io.edfs.server.ServerConfig;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Backup, restore and fsck on the engines beside SQLite, whose SQL differs in places. */
@DisplayName("backup, restore and fsck on MariaDB and PostgreSQL")
class AdminEnginesIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Engine.class, names = {"MARIADB", "POSTGRES"})
  @DisplayName("restores onto the engine, backs up from it; fsck finds damage there and repairs counts")
  void onEngine(Engine engine) throws Exception {
    SampleInstallation live = new SampleInstallation(dir.resolve("live"), 9);
    try (TestDatabase db = TestDatabase.create(engine, dir)) {
      Path blocks = Files.createDirectories(dir.resolve("engine-blocks"));
      ServerConfig onEngine =
          ServerConfig.defaults(dir.resolve("engine")).withDatabase(db.url()).withBlocks("file:" + blocks);
      EdfsAdmin.backup(live.config, dir.resolve("backup").toString());
      EdfsAdmin.restore(dir.resolve("backup").toString(), Optional.empty(), onEngine);
      assertThat(EdfsAdmin.fsck(onEngine, false).findings()).isEmpty();

      EdfsAdmin.backup(onEngine, dir.resolve("backup-of-engine").toString());
      ServerConfig back = ServerConfig.defaults(dir.resolve("back"));
      EdfsAdmin.restore(dir.resolve("backup-of-engine").toString(), Optional.empty(), back);
      assertThat(BackupsTest.rows(back)).isEqualTo(BackupsTest.rows(live.config));

      List<String> referenced = live.referenced();
      DiskBlockStore store = new DiskBlockStore(blocks);
      Files.delete(store.path(referenced.get(0)));
      Path corrupted = store.path(referenced.get(1));
      byte[] bytes = Files.readAllBytes(corrupted);
      bytes[0] ^= 1;
      Files.write(corrupted, bytes);
      SampleInstallation.sql(onEngine, "UPDATE blocks SET refs = refs + 1 WHERE hash = ?", referenced.get(2));
      SampleInstallation.sql(
          onEngine, "UPDATE users SET used_bytes = used_bytes + 1 WHERE id = ?", live.sample.users.get(0).toString());

      FsckReport r = EdfsAdmin.fsck(onEngine, true);
      assertThat(r.count(MISSING_BLOCK)).isOne();
      assertThat(r.count(CORRUPT_BLOCK)).isOne();
      assertThat(r.count(LOST_VERSION)).isPositive();
      assertThat(r.repaired()).containsEntry(WRONG_REFS, 1L).containsEntry(WRONG_USED_BYTES, 1L);
      FsckReport after = EdfsAdmin.fsck(onEngine, false);
      assertThat(after.count(WRONG_REFS) + after.count(WRONG_USED_BYTES)).isZero();
    }
  }
}
