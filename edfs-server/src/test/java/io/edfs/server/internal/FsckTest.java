package io.edfs.server.internal;

import static io.edfs.server.FsckReport.Kind.BAD_CURRENT_VERSION;
import static io.edfs.server.FsckReport.Kind.CORRUPT_BLOCK;
import static io.edfs.server.FsckReport.Kind.LOST_VERSION;
import static io.edfs.server.FsckReport.Kind.MISSING_BLOCK;
import static io.edfs.server.FsckReport.Kind.ORPHAN_BLOCK;
import static io.edfs.server.FsckReport.Kind.UNKNOWN_BLOCK;
import static io.edfs.server.FsckReport.Kind.WRONG_REFS;
import static io.edfs.server.FsckReport.Kind.WRONG_USED_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.server.AdminException;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.FsckReport;
import io.edfs.server.FsckReport.Finding;
import io.edfs.server.FsckReport.Kind;
import io.edfs.server.RepairSummary;
import io.edfs.server.ServerConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("fsck, in process")
class FsckTest {
  @TempDir Path dir;
  SampleInstallation live;

  @BeforeEach
  void install() throws Exception {
    live = new SampleInstallation(dir.resolve("live"), 5);
  }

  static List<Finding> of(FsckReport r, Kind kind) {
    return r.findings().stream().filter(f -> f.kind() == kind).toList();
  }

  @Test
  @DisplayName("finds nothing in a consistent installation, having read every block whole")
  void clean() throws Exception {
    FsckReport r = EdfsAdmin.fsck(live.config, false);
    assertThat(r.findings()).isEmpty();
    assertThat(r.healthy()).isTrue();
    assertThat(r.blocksChecked()).isEqualTo(live.sample.blocks.size());
    assertThat(r.bytesRead())
        .isEqualTo(live.sample.lengths.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  @DisplayName("finds a deleted block, a corrupted block and a wrong refs count, and names the file versions lost")
  void damage() throws Exception {
    List<String> referenced = live.referenced();
    String deleted = referenced.get(0);
    String corrupted = referenced.get(1);
    String miscounted = referenced.get(2);
    Files.delete(live.file(deleted));
    byte[] bytes = Files.readAllBytes(live.file(corrupted));
    bytes[0] ^= 1;
    Files.write(live.file(corrupted), bytes);
    live.sql("UPDATE blocks SET refs = refs + 2 WHERE hash = ?", miscounted);
    List<String> needing =
        live.column(
            "SELECT DISTINCT v.node_id FROM version_blocks vb JOIN versions v ON v.id = vb.version_id"
                + " WHERE vb.block_hash IN ('" + deleted + "', '" + corrupted + "')");

    FsckReport r = EdfsAdmin.fsck(live.config, false);
    assertThat(r.healthy()).isFalse();
    assertThat(of(r, MISSING_BLOCK)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(deleted);
      assertThat(f.detail()).contains("is missing from folder");
    });
    assertThat(of(r, CORRUPT_BLOCK)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(corrupted);
      assertThat(f.detail()).contains("hash to");
    });
    assertThat(of(r, WRONG_REFS)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(miscounted);
      assertThat(f.repaired()).isFalse();
    });
    assertThat(of(r, LOST_VERSION)).extracting(Finding::subject).containsAll(needing);
    assertThat(of(r, LOST_VERSION)).allSatisfy(f -> assertThat(f.detail()).contains("user-"));
    assertThat(r.unresolved()).isEqualTo(3 + r.count(LOST_VERSION));
    assertThat(r.blocksChecked()).isEqualTo(live.sample.blocks.size() - 1);

    FsckReport repaired = EdfsAdmin.fsck(live.config, true);
    assertThat(of(repaired, WRONG_REFS)).singleElement().satisfies(f -> assertThat(f.repaired()).isTrue());
    assertThat(of(repaired, MISSING_BLOCK)).singleElement().satisfies(f -> assertThat(f.repaired()).isFalse());
    assertThat(repaired.healthy()).isFalse();

    FsckReport after = EdfsAdmin.fsck(live.config, false);
    assertThat(after.count(WRONG_REFS)).isZero();
    assertThat(after.count(MISSING_BLOCK)).isOne();
    assertThat(after.count(CORRUPT_BLOCK)).isOne();
  }

  @Test
  @DisplayName("finds wrong used bytes and a current version of another file; repairs the used bytes")
  void metadata() throws Exception {
    String user = live.sample.users.get(1).toString();
    live.sql("UPDATE users SET used_bytes = used_bytes + 7 WHERE id = ?", user);
    String file = live.sample.files.get(0).toString();
    String otherVersion =
        live.column("SELECT current_version_id FROM nodes WHERE id = '" + live.sample.files.get(1) + "'")
            .getFirst();
    live.sql("UPDATE nodes SET current_version_id = ? WHERE id = ?", otherVersion, file);

    FsckReport r = EdfsAdmin.fsck(live.config, true);
    assertThat(of(r, WRONG_USED_BYTES)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(user);
      assertThat(f.repaired()).isTrue();
    });
    assertThat(of(r, BAD_CURRENT_VERSION)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(file);
      assertThat(f.repaired()).isFalse();
    });
    FsckReport after = EdfsAdmin.fsck(live.config, false);
    assertThat(after.count(WRONG_USED_BYTES)).isZero();
    assertThat(after.count(BAD_CURRENT_VERSION)).isOne();
  }

  @Test
  @DisplayName("reports a stored block without a row as a harmless orphan")
  void orphan() throws Exception {
    byte[] content = "left over".getBytes();
    String hash = BlockStoreContract.sha256Unchecked(content);
    live.store.put(hash, content.length, new ByteArrayInputStream(content));
    FsckReport r = EdfsAdmin.fsck(live.config, false);
    assertThat(of(r, ORPHAN_BLOCK)).singleElement().satisfies(f -> assertThat(f.subject()).isEqualTo(hash));
    assertThat(r.healthy()).isTrue();
  }

  @Test
  @DisplayName("drops the row of a lost block no version needs, so a later upload stores it anew")
  void unreferencedLost() throws Exception {
    String hash = live.addUnreferenced("uploaded, not committed".getBytes());
    Files.delete(live.file(hash));
    FsckReport r = EdfsAdmin.fsck(live.config, false);
    assertThat(of(r, MISSING_BLOCK)).singleElement().satisfies(f -> assertThat(f.detail()).contains("no version needs it"));
    assertThat(r.count(LOST_VERSION)).isZero();

    FsckReport repaired = EdfsAdmin.fsck(live.config, true);
    assertThat(repaired.healthy()).isTrue();
    assertThat(live.column("SELECT hash FROM blocks WHERE hash = '" + hash + "'")).isEmpty();
  }

  @Test
  @DisplayName(
      "names a block a version lists that is being deleted; recounts another negative refs count")
  void beingDeleted() throws Exception {
    String hash = live.referenced().get(4);
    String miscounted = live.referenced().get(3);
    live.sql("UPDATE blocks SET refs = -1 WHERE hash = ?", hash);
    live.sql("UPDATE blocks SET refs = -2 WHERE hash = ?", miscounted);
    FsckReport r = EdfsAdmin.fsck(live.config, true);
    assertThat(of(r, UNKNOWN_BLOCK)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(hash);
      assertThat(f.detail()).contains("being deleted");
    });
    assertThat(of(r, WRONG_REFS)).singleElement().satisfies(f -> {
      assertThat(f.subject()).as("-2 is a wrong count, not doomed").isEqualTo(miscounted);
      assertThat(f.detail()).contains("has refs -2 but");
      assertThat(f.repaired()).isTrue();
    });
    assertThat(r.count(LOST_VERSION)).isPositive();
    assertThat(r.healthy()).isFalse();
    assertThat(EdfsAdmin.fsck(live.config, false).count(WRONG_REFS)).isZero();
  }

  /** The installation on a mirror: its block folder and a copy of it. */
  ServerConfig mirrored() throws Exception {
    Path first = live.config.dataDir().resolve("blocks");
    Path second = dir.resolve("second");
    try (Stream<Path> all = Files.walk(first)) {
      for (Path p : all.toList()) {
        Path to = second.resolve(first.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return live.config.withBlocks("mirror:file:" + first + ",file:" + second);
  }

  static void corrupt(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 1;
    Files.write(file, bytes);
  }

  /** Deletes the first referenced block on the first side and corrupts the second on the other. */
  List<String> damageMirror() throws Exception {
    List<String> referenced = live.referenced();
    Files.delete(live.file(referenced.get(0)));
    corrupt(new DiskBlockStore(dir.resolve("second")).path(referenced.get(1)));
    return referenced;
  }

  @Test
  @DisplayName("on a mirror, finds a copy missing or corrupt on one side, and --repair copies the good one over")
  void mirror() throws Exception {
    ServerConfig config = mirrored();
    List<String> referenced = damageMirror();
    Path second = dir.resolve("second");

    FsckReport r = EdfsAdmin.fsck(config, false);
    assertThat(of(r, MISSING_BLOCK)).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo(referenced.get(0));
      assertThat(f.detail()).contains("is missing from folder " + live.config.dataDir().resolve("blocks"))
          .contains("folder " + second + " has a good copy");
    });
    assertThat(of(r, CORRUPT_BLOCK)).singleElement().satisfies(f -> assertThat(f.subject()).isEqualTo(referenced.get(1)));
    assertThat(r.count(LOST_VERSION)).isZero();
    assertThat(r.blocksChecked()).isEqualTo(2L * live.sample.blocks.size() - 1);

    FsckReport repaired = EdfsAdmin.fsck(config, true);
    assertThat(repaired.healthy()).isTrue();
    assertThat(repaired.repaired()).containsEntry(MISSING_BLOCK, 1L).containsEntry(CORRUPT_BLOCK, 1L);
    assertThat(EdfsAdmin.fsck(config, false).findings()).isEmpty();
  }

  @Test
  @DisplayName("repair mends a mirror side by side; it refuses a block store that is not a mirror")
  void repairMirror() throws Exception {
    ServerConfig config = mirrored();
    damageMirror();
    RepairSummary s = EdfsAdmin.repair(config, true);
    assertThat(s.copiedToFirst()).isOne();
    assertThat(s.replaced()).isOne();
    assertThat(s.unrepairable()).isEmpty();
    assertThat(EdfsAdmin.fsck(config, false).findings()).isEmpty();

    assertThatThrownBy(() -> EdfsAdmin.repair(live.config, true))
        .isInstanceOfSatisfying(
            AdminException.class,
            e -> assertThat(e.problem()).isEqualTo(AdminException.Problem.UNSUPPORTED_STORE))
        .hasMessageContaining("fsck");
  }
}
