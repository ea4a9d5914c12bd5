package io.edfs.server.internal;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.MissingBlocksRequest;
import io.edfs.protocol.MissingBlocksResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Block uploads and the "which blocks are missing" question (DESIGN §5 steps 1-2). A block is
 * recorded in the database only after the store made it durable, so a commit that finds the row can
 * rely on the bytes. Uploads hold no database lock while streaming. Thread-safe.
 */
final class Blocks {
  private final Database db;
  private final VersionStore versions;
  private final BlockStore store;
  private final Clock clock;

  Blocks(Database db, VersionStore versions, BlockStore store, Clock clock) {
    this.db = db;
    this.versions = versions;
    this.store = store;
    this.clock = clock;
  }

  /**
   * Stores block {@code hash} from {@code body} ({@code length} bytes). Returns false when the
   * block was already stored: the body is then never opened (the HTTP layer discards it, or does
   * not even ask for it when the client sent {@code Expect: 100-continue}).
   */
  boolean put(String hash, long length, Supplier<InputStream> body) throws IOException {
    Checks.hash(hash, "block hash");
    if (length < 1 || length > Checks.MAX_BLOCK_BYTES) {
      throw length < 1
          ? ApiException.badRequest("a block has at least 1 byte")
          : ApiException.tooLarge(
              "a block has at most " + Checks.MAX_BLOCK_BYTES + " bytes, got " + length);
    }
    if (db.read(c -> versions.blockLength(c, hash)).isPresent()) {
      return false;
    }
    store.put(hash, length, body.get());
    db.write(
        c -> {
          versions.insertBlock(c, hash, length, clock.millis());
          return null;
        });
    return true;
  }

  /**
   * Makes the inline block a commit may carry (a small file's only block) durable in the store,
   * before the commit's transaction records it (see {@code Tree}); does nothing for a commit
   * without one. A small file then costs one request instead of an upload and a commit.
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
    if (db.read(c -> versions.blockLength(c, hash)).isEmpty()) {
      store.put(hash, inline.length, new ByteArrayInputStream(inline)); // verifies the hash
    }
  }

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
    Set<String> present = db.read(c -> versions.present(c, asked));
    return new MissingBlocksResponse(asked.stream().filter(h -> !present.contains(h)).toList());
  }

  /** Opens a stored block at {@code offset}. */
  InputStream open(String hash, long offset) throws IOException {
    return store.open(hash, offset);
  }
}
