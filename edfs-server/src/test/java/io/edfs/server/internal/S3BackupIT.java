package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import io.edfs.server.BackupSummary;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.RestoreSummary;
import io.edfs.server.ServerConfig;
import io.edfs.tests3.S3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Backups in an S3 bucket, on a real S3 server")
class S3BackupIT {
  static S3Server s3;
  @TempDir Path dir;
  SampleInstallation live;

  @BeforeAll
  static void server() throws IOException {
    s3 = S3Server.shared();
  }

  @BeforeEach
  void install() throws Exception {
    live = new SampleInstallation(dir.resolve("live"), 3);
  }

  @Test
  @DisplayName("backs up under a prefix (blocks, snapshots, secret), incrementally; restores onto S3 blocks")
  void roundTrip() throws Exception {
    String bucket = s3.createBucket();
    String uri = s3.blockStoreUri(bucket, "backups/edfs");
    String id = BackupsTest.start(live.config);
    BackupSummary first = EdfsAdmin.backup(live.config, uri);
    int stored = live.sample.blocks.size();
    assertThat(first.blocks().copied()).isEqualTo(stored);
    assertThat(s3.keys(bucket))
        .contains("backups/edfs/server.secret", "backups/edfs/store-id", "backups/edfs/snapshots/" + first.snapshot() + ".edfs-dump.gz")
        .filteredOn(k -> k.startsWith("backups/edfs/blocks/"))
        .hasSize(stored);
    assertThat(s3.object(bucket, "backups/edfs/server.secret"))
        .hasSameBinaryContentAs(live.config.dataDir().resolve("server.secret"));

    live.addVersion("after the first backup".getBytes());
    BackupSummary second = EdfsAdmin.backup(live.config, uri);
    assertThat(second.blocks().copied()).isOne();
    assertThat(second.blocks().present()).isEqualTo(stored);

    String blocks = s3.createBucket();
    ServerConfig target = ServerConfig.defaults(dir.resolve("restored")).withBlocks(s3.blockStoreUri(blocks, ""));
    RestoreSummary r = EdfsAdmin.restore(uri, Optional.empty(), target);
    assertThat(r.snapshot()).isEqualTo(second.snapshot());
    assertThat(r.blocks().copied()).isEqualTo(stored + 1);
    assertThat(s3.keys(blocks)).hasSize(stored + 2).contains(".edfs-store"); // and the marker
    assertThat(BackupsTest.marker(target)).contains(id);
    assertThat(BackupsTest.rows(target)).isEqualTo(BackupsTest.rows(live.config));
    assertThat(EdfsAdmin.fsck(target, false).findings()).isEmpty();
    String lost = live.referenced().getFirst();
    Files.delete(s3.object(blocks, lost.substring(0, 2) + "/" + lost.substring(2, 4) + "/" + lost));
    var damaged = EdfsAdmin.fsck(target, false);
    assertThat(damaged.findings()).extracting(f -> f.kind()).contains(io.edfs.server.FsckReport.Kind.MISSING_BLOCK);
    assertThat(damaged.blocksChecked()).isEqualTo(stored);
    try (var spool = Files.list(dir.resolve("live/spool"))) {
      assertThat(spool).as("no staged snapshot left behind").isEmpty();
    }
  }

  @Test
  @DisplayName("refuses a prefix holding other objects, and a restore from one holding no backup")
  void refusals() throws Exception {
    String bucket = s3.createBucket();
    Path photo = s3.object(bucket, "photos/cat.jpg");
    Files.createDirectories(photo.getParent());
    Files.writeString(photo, "meow");
    assertThatThrownBy(() -> EdfsAdmin.backup(live.config, s3.blockStoreUri(bucket, "photos")))
        .isInstanceOfSatisfying(
            AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_BACKUP))
        .hasMessageContaining("holds objects but no edfs backup");
    assertThatThrownBy(
            () ->
                EdfsAdmin.restore(
                    s3.blockStoreUri(bucket, "nothing"), Optional.empty(), ServerConfig.defaults(dir.resolve("t"))))
        .isInstanceOfSatisfying(
            AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_BACKUP))
        .hasMessageNotContaining(s3.secretKey());
    assertThat(s3.keys(bucket)).containsExactly("photos/cat.jpg");
  }
}
