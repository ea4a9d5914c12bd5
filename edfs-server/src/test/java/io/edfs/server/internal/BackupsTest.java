package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import io.edfs.server.BackupSummary;
import io.edfs.server.DumpException;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.RestoreSummary;
import io.edfs.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Backup and restore, in process")
class BackupsTest {
  @TempDir Path dir;
  SampleInstallation live;
  Path backup;

  @BeforeEach
  void install() throws Exception {
    live = new SampleInstallation(dir.resolve("live"), 11);
    backup = dir.resolve("backup");
  }

  ServerConfig fresh(String name) {
    return ServerConfig.defaults(dir.resolve(name));
  }

  static List<String> rows(ServerConfig config) throws IOException {
    var out = new ByteArrayOutputStream();
    EdfsAdmin.dump(config, out);
    // the header names the engine and the time: the rows must be the same
    return MetadataDumpTest.lines(out.toByteArray()).stream().skip(1).toList();
  }

  static long files(Path folder) throws IOException {
    try (Stream<Path> all = Files.walk(folder)) {
      return all.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/.tmp/")).count();
    }
  }

  @Test
  @DisplayName("restores the metadata, the blocks and the secret: the same rows, and fsck finds nothing")
  void roundTrip() throws Exception {
    BackupSummary b = EdfsAdmin.backup(live.config, backup.toString());
    int stored = live.sample.blocks.size();
    assertThat(b.blocks().copied()).isEqualTo(stored);
    assertThat(b.blocks().present()).isZero();
    assertThat(b.blocks().bytesCopied())
        .isEqualTo(live.sample.lengths.values().stream().mapToLong(Long::longValue).sum());
    assertThat(b.metadata().rows()).containsEntry("users", 3L);
    assertThat(backup.resolve("snapshots").resolve(b.snapshot() + ".edfs-dump.gz")).isRegularFile();
    assertThat(files(backup.resolve("blocks"))).isEqualTo(stored);
    Path secret = backup.resolve("server.secret");
    assertThat(Files.getPosixFilePermissions(secret))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(backup))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));

    ServerConfig target =
        fresh("restored")
            .withDatabase("jdbc:sqlite:" + dir.resolve("restored.db"))
            .withBlocks("file:" + Files.createDirectories(dir.resolve("restored-blocks")));
    RestoreSummary r = EdfsAdmin.restore(backup.toString(), Optional.empty(), target);
    assertThat(r.snapshot()).isEqualTo(b.snapshot());
    assertThat(r.blocks().copied()).isEqualTo(stored);
    assertThat(r.verified()).isEqualTo(live.referenced().size());
    assertThat(rows(target)).isEqualTo(rows(live.config));
    assertThat(dir.resolve("restored/server.secret"))
        .hasSameBinaryContentAs(live.config.dataDir().resolve("server.secret"));
    assertThat(files(dir.resolve("restored-blocks"))).isEqualTo(stored + 1); // and the marker
    assertThat(EdfsAdmin.fsck(target, false).findings()).isEmpty();
  }

  @Test
  @DisplayName("a second backup copies only the blocks added since; a restore picks the newest snapshot or the one named")
  void incremental() throws Exception {
    BackupSummary first = EdfsAdmin.backup(live.config, backup.toString());
    String added = live.addVersion("a new version".getBytes());
    BackupSummary second = EdfsAdmin.backup(live.config, backup.toString());
    assertThat(second.blocks().copied()).isEqualTo(1);
    assertThat(second.blocks().bytesCopied()).isEqualTo("a new version".length());
    assertThat(second.blocks().present()).isEqualTo(first.blocks().copied());
    assertThat(second.snapshot()).isGreaterThan(first.snapshot());

    ServerConfig newest = fresh("newest");
    RestoreSummary r = EdfsAdmin.restore(backup.toString(), Optional.empty(), newest);
    assertThat(r.snapshot()).isEqualTo(second.snapshot());
    assertThat(new DiskBlockStore(dir.resolve("newest/blocks")).contains(added)).isTrue();

    ServerConfig older = fresh("older");
    RestoreSummary o =
        EdfsAdmin.restore(backup.toString(), Optional.of(first.snapshot() + ".edfs-dump.gz"), older);
    assertThat(o.snapshot()).isEqualTo(first.snapshot());
    assertThat(o.metadata().rows().get("versions"))
        .isEqualTo(r.metadata().rows().get("versions") - 1);
  }

  @Test
  @DisplayName("a backup taken while files are written restores to one consistent moment")
  void whileWriting() throws Exception {
    long before = Long.parseLong(live.column("SELECT COUNT(*) FROM versions").getFirst());
    AtomicBoolean backedUp = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    Thread writer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (Database db = MetadataDump.open(live.config, false)) {
                    // at least a few versions before, during and after the backup
                    while (!backedUp.get() || written.get() < 20) {
                      live.addVersion(db, ("version " + written.incrementAndGet()).getBytes());
                    }
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    while (written.get() < 5) {
      Thread.sleep(5);
    }
    BackupSummary b = EdfsAdmin.backup(live.config, backup.toString());
    backedUp.set(true);
    writer.join();

    ServerConfig target = fresh("restored");
    RestoreSummary r = EdfsAdmin.restore(backup.toString(), Optional.empty(), target);
    long restored = r.metadata().rows().get("versions");
    assertThat(restored).isBetween(before + 5, before + written.get() - 1);
    assertThat(b.blocks().copied()).isEqualTo(r.metadata().rows().get("blocks"));
    assertThat(EdfsAdmin.fsck(target, false).findings()).isEmpty();
  }

  @Test
  @DisplayName("what a backup that died left in snapshots/ is no snapshot, and goes a day later")
  void leftovers() throws Exception {
    Path snapshots = Files.createDirectories(backup.resolve("snapshots"));
    Path young = Files.writeString(snapshots.resolve(".1f2e.partial"), "half a dump");
    Path old = Files.writeString(snapshots.resolve("..2a3b.partial.4c5d.tmp"), "half a dump");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    BackupSummary b = EdfsAdmin.backup(live.config, backup.toString());
    assertThat(FolderBackupTarget.forRestore(backup).snapshots()).containsExactly(b.snapshot());
    assertThat(young).exists();
    assertThat(old).doesNotExist();
  }

  @Test
  @DisplayName("snapshot names are UTC times that sort in the order they were taken")
  void names() {
    Instant t = Instant.parse("2026-11-26T10:15:30.123Z");
    assertThat(Backups.newName(List.of(), t)).isEqualTo("20261126T101530.123Z");
    assertThat(Backups.newName(List.of("20261126T101530.123Z"), t)).isEqualTo("20261126T101530.124Z");
  }

  @Test
  @DisplayName("an unreferenced block the collector removed is skipped, and its row dropped on restore")
  void unreferencedGone() throws Exception {
    String gone = live.addUnreferenced("uploaded, never committed".getBytes());
    Files.delete(live.file(gone));
    BackupSummary b = EdfsAdmin.backup(live.config, backup.toString());
    assertThat(b.blocks().skipped()).isEqualTo(1);

    ServerConfig target = fresh("restored");
    EdfsAdmin.restore(backup.toString(), Optional.empty(), target);
    assertThat(SampleInstallation.column(target, "SELECT hash FROM blocks WHERE hash = '" + gone + "'"))
        .isEmpty();
    assertThat(EdfsAdmin.fsck(target, false).healthy()).isTrue();
  }

  /** Starts a node's store check on {@code config}, as a server does; returns the id it holds. */
  static String start(ServerConfig config) throws IOException {
    try (Database db = MetadataDump.open(config, false);
        BlockStore store = Backups.openStore(config)) {
      ClusterFacts.checkStore(db, store, new SecureRandom());
      assertThat(store.readMarker()).isEqualTo(ClusterFacts.installationId(db));
      return ClusterFacts.installationId(db).orElseThrow();
    }
  }

  static Optional<String> marker(ServerConfig config) throws IOException {
    try (BlockStore store = Backups.openStore(config)) {
      return store.readMarker();
    }
  }

  @Nested
  @DisplayName("the installation id")
  class Installation {
    @Test
    @DisplayName("is kept by a backup and a restore into an empty store, which it marks")
    void roundTrip() throws Exception {
      String id = start(live.config);
      EdfsAdmin.backup(live.config, backup.toString());
      assertThat(Files.readString(backup.resolve("store-id")).strip()).isEqualTo(id);
      ServerConfig target = fresh("restored");
      EdfsAdmin.restore(backup.toString(), Optional.empty(), target);
      assertThat(marker(target)).contains(id);
      assertThat(start(target)).isEqualTo(id);
    }

    @Test
    @DisplayName("is a new one after restoring a backup that records none into an empty store")
    void none() throws Exception {
      EdfsAdmin.backup(live.config, backup.toString());
      assertThat(backup.resolve("store-id")).doesNotExist();
      ServerConfig target = fresh("restored");
      EdfsAdmin.restore(backup.toString(), Optional.empty(), target);
      String id = marker(target).orElseThrow();
      assertThat(start(target)).isEqualTo(id);
    }

    @Test
    @DisplayName("lets a restore onto the installation's own surviving store, which a server then starts on")
    void ownStore() throws Exception {
      String id = start(live.config);
      EdfsAdmin.backup(live.config, backup.toString());
      ServerConfig target =
          fresh("restored").withBlocks("file:" + live.config.dataDir().resolve("blocks"));
      RestoreSummary r = EdfsAdmin.restore(backup.toString(), Optional.empty(), target);
      assertThat(r.blocks().copied()).isZero();
      assertThat(start(target)).isEqualTo(id);
      assertThat(EdfsAdmin.fsck(target, false).findings()).isEmpty();
    }

    @Test
    @DisplayName("refuses a restore onto another installation's store, copying nothing")
    void otherStore() throws Exception {
      SampleInstallation other = new SampleInstallation(dir.resolve("other"), 12);
      start(other.config);
      long before = files(other.config.dataDir().resolve("blocks"));
      ServerConfig target =
          fresh("restored").withBlocks("file:" + other.config.dataDir().resolve("blocks"));
      // a backup that records no id, then one that records another
      EdfsAdmin.backup(live.config, backup.toString());
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> EdfsAdmin.restore(backup.toString(), Optional.empty(), target))
            .isInstanceOfSatisfying(
                AdminException.class,
                e -> {
                  assertThat(e.problem()).isEqualTo(Problem.OTHER_INSTALLATION);
                  assertThat(e.getMessage()).contains("another installation").doesNotContain("\n");
                });
        assertThat(files(other.config.dataDir().resolve("blocks"))).isEqualTo(before);
        assertThat(SampleInstallation.column(target, "SELECT COUNT(*) FROM users")).containsExactly("0");
        start(live.config);
        EdfsAdmin.backup(live.config, backup.toString());
      }
    }
  }

  @Nested
  @DisplayName("fails, and leaves no snapshot behind, when")
  class Fails {
    @Test
    @DisplayName("a block a file version refers to is missing from the server's block store")
    void missing() throws Exception {
      String hash = live.referenced().get(3);
      Files.delete(live.file(hash));
      assertThatThrownBy(() -> EdfsAdmin.backup(live.config, backup.toString()))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.MISSING_BLOCK))
          .hasMessageContaining(hash)
          .hasMessageContaining("fsck");
      assertThat(FolderBackupTarget.forRestore(backup).snapshots()).isEmpty();
      try (Stream<Path> left = Files.list(backup.resolve("snapshots"))) {
        assertThat(left).isEmpty();
      }
    }

    @Test
    @DisplayName("a block is corrupt in the server's block store")
    void corrupt() throws Exception {
      String hash = live.referenced().get(5);
      byte[] bytes = Files.readAllBytes(live.file(hash));
      bytes[bytes.length / 2] ^= 1;
      Files.write(live.file(hash), bytes);
      assertThatThrownBy(() -> EdfsAdmin.backup(live.config, backup.toString()))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.CORRUPT_BLOCK))
          .hasMessageContaining(hash);
      assertThat(FolderBackupTarget.forRestore(backup).snapshots()).isEmpty();
    }

    @Test
    @DisplayName("the data folder has no secret or no database, without making a backup folder")
    void noInstallation() throws Exception {
      ServerConfig empty = fresh("empty");
      assertThatThrownBy(() -> EdfsAdmin.backup(empty, backup.toString()))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NO_SECRET));
      Files.createDirectories(empty.dataDir());
      Files.write(empty.dataDir().resolve("server.secret"), new byte[32]);
      assertThatThrownBy(() -> EdfsAdmin.backup(empty, backup.toString()))
          .hasMessageContaining("no edfs database at");
      assertThat(backup).doesNotExist();
    }

    @Test
    @DisplayName("the target folder holds something else, or another installation's backup")
    void otherTargets() throws Exception {
      Path other = Files.createDirectories(dir.resolve("photos"));
      Files.writeString(other.resolve("cat.jpg"), "meow");
      assertThatThrownBy(() -> EdfsAdmin.backup(live.config, other.toString()))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_BACKUP));

      EdfsAdmin.backup(live.config, backup.toString());
      SampleInstallation another = new SampleInstallation(dir.resolve("another"), 12);
      assertThatThrownBy(() -> EdfsAdmin.backup(another.config, backup.toString()))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.OTHER_SECRET));
      assertThat(FolderBackupTarget.forRestore(backup).snapshots()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("a restore refuses")
  class Refuses {
    @BeforeEach
    void backUp() throws Exception {
      EdfsAdmin.backup(live.config, backup.toString());
    }

    @Test
    @DisplayName("a database that holds metadata, before copying any block")
    void nonEmpty() throws Exception {
      ServerConfig target = live.config.withBlocks("file:" + dir.resolve("untouched"));
      assertThatThrownBy(() -> EdfsAdmin.restore(backup.toString(), Optional.empty(), target))
          .isInstanceOfSatisfying(
              DumpException.class,
              e -> assertThat(e.problem()).isEqualTo(DumpException.Problem.TARGET_NOT_EMPTY));
      assertThat(dir.resolve("untouched")).doesNotExist();
    }

    @Test
    @DisplayName("a snapshot the backup does not have, naming those it has")
    void noSnapshot() throws Exception {
      String name = FolderBackupTarget.forRestore(backup).snapshots().getFirst();
      assertThatThrownBy(
              () -> EdfsAdmin.restore(backup.toString(), Optional.of("20200101T000000.000Z"), fresh("t")))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NO_SNAPSHOT))
          .hasMessageContaining(name);
      assertThatThrownBy(
              () -> EdfsAdmin.restore(dir.resolve("nowhere").toString(), Optional.empty(), fresh("t")))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_BACKUP));
    }

    @Test
    @DisplayName("a data folder that holds another server secret")
    void otherSecret() throws Exception {
      ServerConfig target = fresh("t");
      Files.createDirectories(target.dataDir());
      ServerSecret.loadOrCreate(target.dataDir().resolve("server.secret"), new SecureRandom());
      assertThatThrownBy(() -> EdfsAdmin.restore(backup.toString(), Optional.empty(), target))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.OTHER_SECRET));
      assertThat(target.dataDir().resolve("edfs.db")).doesNotExist();
    }

    @Test
    @DisplayName("a backup that lacks a block its snapshot needs")
    void damagedBackup() throws Exception {
      String hash = live.referenced().getFirst();
      Files.delete(new DiskBlockStore(backup.resolve("blocks")).path(hash));
      assertThatThrownBy(() -> EdfsAdmin.restore(backup.toString(), Optional.empty(), fresh("t")))
          .isInstanceOfSatisfying(
              AdminException.class, e -> assertThat(e.problem()).isEqualTo(Problem.MISSING_BLOCK))
          .hasMessageContaining(hash)
          .hasMessageContaining("earlier snapshot");
    }
  }
}
