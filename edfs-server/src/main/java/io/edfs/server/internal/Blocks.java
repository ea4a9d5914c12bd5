package io.edfs.server.internal;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.MissingBlocksRequest;
import io.edfs.protocol.MissingBlocksResponse;
import io.edfs.server.internal.VersionStore.BlockRow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Block uploads, the "which blocks are missing" question, and the steps of the garbage collection
 * protocol that uploads share with the collector (DESIGN §5 steps 1-2; docs/design-notes.md,
 * "Garbage collection"). A block has a live row ({@code refs >= 0}) only while the store holds it:
 * a row is recorded after the store made the block durable, and the store deletes a block only
 * after its row was doomed ({@code refs = -1}) and only under that row's lock. Uploads hold no
 * database lock while streaming. Thread-safe.
 */
final class Blocks {
  /** How often {@link #record} inserts again when the row it found vanished under it. */
  private static final int RECORD_ATTEMPTS = 3;

  private final Database db;
  private final VersionStore versions;
  private final BlockStore store;

  Blocks(Database db, VersionStore versions, BlockStore store) {
    this.db = db;
    this.versions = versions;
    this.store = store;
  }

  /**
   * Stores block {@code hash} from {@code body} ({@code length} bytes). Returns false when the
   * block was already stored: the body is then never opened (the HTTP layer discards it, or does
   * not even ask for it when the client sent {@code Expect: 100-continue}).
   *
   * @throws ApiException of type {@code unavailable} in the rare case that the garbage collector
   *     removed an earlier copy of the same block while this one was stored: sending it again works
   */
  boolean put(String hash, long length, Supplier<InputStream> body) throws IOException {
    Checks.hash(hash, "block hash");
    if (length < 1 || length > Checks.MAX_BLOCK_BYTES) {
      throw length < 1
          ? ApiException.badRequest("a block has at least 1 byte")
          : ApiException.tooLarge(
              "a block has at most " + Checks.MAX_BLOCK_BYTES + " bytes, got " + length);
    }
    if (!needsStoring(hash)) {
      return false;
    }
    store.put(hash, length, body.get());
    Recorded recorded = io(() -> db.write(c -> record(c, hash, length)));
    if (recorded == Recorded.DOOMED) {
      // a copy recorded by someone else after our first look was doomed meanwhile: its deletion
      // may take our bytes with it, so finish it now and have the client send the block again
      io(() -> db.write(c -> deleteDoomed(c, hash)));
    }
    if (recorded != Recorded.LIVE) {
      throw ApiException.collected(hash);
    }
    return true;
  }

  /**
   * Makes the inline block a commit may carry (a small file's only block) durable in the store,
   * before the commit's transaction records it ({@link #record}, called by {@code Tree}); does
   * nothing for a commit without one. A small file then costs one request instead of an upload and
   * a commit.
   */
  void storeInline(CommitRequest r) throws IOException {
    if (r == null || r.inline() == null) {
      return;
    }
    byte[] inline = r.inline();
    if (inline.length > CommitRequest.MAX_INLINE_BYTES) {
      throw ApiException.tooLarge(
          "an inline block has at most " + CommitRequest.MAX_INLINE_BYTES + " bytes, got " + inline.length);
    }
    List<BlockRef> refs = r.blocks();
    if (refs == null || refs.size() != 1 || refs.get(0) == null || refs.get(0).length() != inline.length) {
      throw ApiException.badRequest("an inline block must be the version's only block, with its length");
    }
    String hash = Checks.hash(refs.get(0).hash(), "blocks[0].hash");
    if (needsStoring(hash)) {
      store.put(hash, inline.length, new ByteArrayInputStream(inline)); // verifies the hash
    }
  }

  /**
   * Which of the asked blocks the server lacks: those without a row, and doomed ones. An
   * unreferenced block the answer counts as present starts its grace period again, since the
   * client will now rely on it.
   */
  MissingBlocksResponse missing(MissingBlocksRequest r) {
    List<String> hashes = Checks.required(r.hashes(), "hashes");
    if (hashes.size() > Checks.MAX_MISSING_HASHES) {
      throw ApiException.tooLarge(
          "at most " + Checks.MAX_MISSING_HASHES + " hashes per request, got " + hashes.size());
    }
    Set<String> asked = new LinkedHashSet<>();
    for (int i = 0; i < hashes.size(); i++) {
      asked.add(Checks.hash(hashes.get(i), "hashes[" + i + "]"));
    }
    Set<String> present =
        db.write(
            c -> {
              versions.touch(c, asked);
              return versions.liveBlocks(c, asked).keySet();
            });
    return new MissingBlocksResponse(asked.stream().filter(h -> !present.contains(h)).toList());
  }

  /** Opens a stored block at {@code offset}. */
  InputStream open(String hash, long offset) throws IOException {
    return store.open(hash, offset);
  }

  /**
   * Whether block {@code hash} must be stored before it can be used: it has no live row. Leaves
   * the rows ready for that: an unreferenced block starts its grace period again (the caller will
   * rely on it), and a doomed block's deletion is finished first, so that it cannot take a new copy
   * with it.
   */
  private boolean needsStoring(String hash) throws IOException {
    Optional<BlockRow> seen = db.read(c -> versions.blockRow(c, hash, false));
    if (seen.isEmpty()) {
      return true;
    }
    if (seen.get().refs() > 0) {
      return false; // referenced: dropping the last ref restarts the grace period
    }
    return io(
        () ->
            db.write(
                c -> {
                  Optional<BlockRow> row = versions.blockRow(c, hash, true);
                  if (row.isPresent() && row.get().doomed()) {
                    deleteDoomed(c, hash);
                    return true;
                  }
                  if (row.isPresent()) {
                    versions.touch(c, List.of(hash));
                  }
                  return row.isEmpty();
                }));
  }

  /** What {@link #record} found. */
  enum Recorded {
    /** The block has a live row and the store holds it. */
    LIVE,
    /** The block's row is doomed: the block is being deleted; nothing was changed. */
    DOOMED,
    /** The store no longer holds the block (it was deleted after being stored); no row was kept. */
    VANISHED
  }

  /**
   * Within a write transaction: makes sure block {@code hash}, which the store was seen to hold
   * (this node stored it, or a listing showed it), has a live row, inserting one with refs 0 if
   * there is none; an unreferenced block starts its grace period again.
   *
   * <p>A block with no row may have had one that a collector doomed and deleted, object and all,
   * after the store was seen to hold it. So an unreferenced row is trusted only once the store,
   * asked while this transaction holds the row's lock, still holds the block: a deletion needs that
   * lock, so none can come after the answer. A referenced row is trusted as it is: no deletion
   * touches it.
   *
   * @throws UncheckedIOException if the store cannot be asked
   */
  Recorded record(Connection c, String hash, long length) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      long inserted = versions.insertBlockIfAbsent(c, hash, length);
      Optional<BlockRow> row = versions.blockRow(c, hash, true);
      if (row.isEmpty()) {
        // a collector deleted the doomed row our insert ran into; the insert will work now
        if (attempt < RECORD_ATTEMPTS) {
          continue;
        }
        return Recorded.VANISHED;
      }
      if (row.get().doomed()) {
        return Recorded.DOOMED;
      }
      if (row.get().refs() > 0) {
        return Recorded.LIVE;
      }
      if (!contains(hash)) {
        versions.deleteBlockRow(c, hash);
        return Recorded.VANISHED;
      }
      if (row.get().createdAt() != inserted) { // not the row just inserted
        versions.touch(c, List.of(hash));
      }
      return Recorded.LIVE;
    }
  }

  /**
   * Within a write transaction: if block {@code hash} is doomed, deletes it from the store, then
   * its row, while holding the row's lock. Returns the bytes freed, or -1 when the block was not
   * doomed (already deleted, or never doomed). If the transaction then fails, the row stays doomed
   * and a later round (or upload) finishes the job: deleting a block twice is harmless.
   *
   * @throws UncheckedIOException if the store cannot delete the block
   */
  long deleteDoomed(Connection c, String hash) throws SQLException {
    Optional<BlockRow> row = versions.blockRow(c, hash, true);
    if (row.isEmpty() || !row.get().doomed()) {
      return -1;
    }
    try {
      store.delete(hash);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    versions.deleteBlockRow(c, hash);
    return row.get().length();
  }

  private boolean contains(String hash) {
    try {
      return store.contains(hash);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code work} (transactions that call the store), turning a store failure reported
   * unchecked back into an IOException.
   */
  static <T> T io(Supplier<T> work) throws IOException {
    try {
      return work.get();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
