package io.edfs.server.internal;

import static io.edfs.server.internal.ApiException.badRequest;
import static io.edfs.server.internal.ApiException.forbidden;
import static io.edfs.server.internal.ApiException.notFound;

import io.edfs.protocol.Access;
import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateBatchRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.Mode;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.NodeList;
import io.edfs.protocol.Reseal;
import io.edfs.protocol.VersionInfo;
import io.edfs.server.internal.NodeStore.Lineage;
import io.edfs.server.internal.NodeStore.NodeRow;
import io.edfs.server.internal.NodeStore.NodeView;
import io.edfs.server.internal.UserStore.UserRow;
import io.edfs.server.internal.VersionStore.BlockRow;
import io.edfs.server.internal.VersionStore.VersionRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The folder tree: nodes, versions and who may do what with them (DESIGN §3 Sharing, §5).
 *
 * <p>Access to a node: OWNER if the caller owns it; else the strongest grant the caller holds on
 * the node or any ancestor (W over R); else none. A node that exists but is out of reach answers
 * 403, one that does not exist 404. Renaming, moving and deleting need ownership or a W grant on a
 * strict ancestor, so a grantee never renames or deletes the shared node itself. Every mutation is
 * one transaction. Thread-safe.
 */
final class Tree {
  /** Result of a create: the node, and whether this call created it (or found it identical). */
  record Created(NodeInfo node, boolean created) {}

  private final Database db;
  private final NodeStore nodes;
  private final VersionStore versions;
  private final GrantStore grants;
  private final UserStore users;
  private final Blocks blocks;
  private final RequestKeys requests;
  private final Clock clock;
  private final int keepVersions;

  Tree(
      Database db,
      NodeStore nodes,
      VersionStore versions,
      GrantStore grants,
      UserStore users,
      Blocks blocks,
      RequestKeys requests,
      Clock clock,
      int keepVersions) {
    this.db = db;
    this.nodes = nodes;
    this.versions = versions;
    this.grants = grants;
    this.users = users;
    this.blocks = blocks;
    this.requests = requests;
    this.clock = clock;
    this.keepVersions = keepVersions;
  }

  // ---- reads ----

  NodeInfo get(UUID user, UUID id) {
    return db.read(
        c -> {
          NodeView view = nodes.view(c, id, user).orElseThrow(() -> noNode(id));
          Access access = requireAccess(c, user, view.node());
          return info(c, view, access, true);
        });
  }

  NodeList children(UUID user, UUID id) {
    return db.read(
        c -> {
          NodeRow folder = requireFolder(c, id);
          Access access = requireAccess(c, user, folder);
          List<NodeView> children = nodes.childViews(c, id, user);
          List<NodeInfo> entries = new ArrayList<>(children.size());
          for (NodeView child : children) {
            entries.add(info(c, child, childAccess(access, child), false));
          }
          return new NodeList(entries);
        });
  }

  NodeInfo child(UUID user, UUID id, byte[] encName) {
    return db.read(
        c -> {
          NodeRow folder = requireFolder(c, id);
          Access access = requireAccess(c, user, folder);
          NodeView child =
              nodes
                  .childView(c, id, encName, user)
                  .orElseThrow(() -> notFound("folder " + id + " has no entry with that name"));
          return info(c, child, childAccess(access, child), true);
        });
  }

  VersionInfo version(UUID user, UUID id, UUID versionId) {
    return db.read(
        c -> {
          NodeRow node = nodes.node(c, id).orElseThrow(() -> noNode(id));
          requireAccess(c, user, node);
          VersionRow v = requireVersion(c, node, versionId);
          return versionInfo(v, versions.blocks(c, v.id()));
        });
  }

  /** The block at {@code index} of a version, after checking the caller may read it. */
  BlockRef block(UUID user, UUID id, UUID versionId, int index) {
    return db.read(
        c -> {
          NodeRow node = nodes.node(c, id).orElseThrow(() -> noNode(id));
          requireAccess(c, user, node);
          VersionRow v = requireVersion(c, node, versionId);
          return versions
              .block(c, v.id(), index)
              .orElseThrow(() -> notFound("version " + versionId + " has no block " + index));
        });
  }

  // ---- writes ----

  Created create(UUID user, CreateNodeRequest r) {
    return create(user, r, Optional.empty());
  }

  /**
   * Creates a node. With a {@code key} already recorded for {@code user}, this is the same create
   * sent again after its answer was lost: it answers the node as it is now, and never creates it
   * again once it was deleted.
   */
  Created create(UUID user, CreateNodeRequest r, Optional<String> key) {
    validate(r);
    return db.write(c -> create(c, user, r, key));
  }

  /**
   * Creates every node of {@code rs}, all in one folder, in one transaction: all or none. Node i
   * is created as {@link #create} creates it, with the key {@code key#i}, so that a batch sent
   * again answers each node as it is now.
   */
  List<NodeInfo> createAll(UUID user, List<CreateNodeRequest> rs, Optional<String> key) {
    checkBatch(rs);
    return db.write(
        c -> {
          List<NodeInfo> out = new ArrayList<>(rs.size());
          for (int i = 0; i < rs.size(); i++) {
            int index = i;
            out.add(create(c, user, rs.get(i), key.map(k -> k + "#" + index)).node());
          }
          return out;
        });
  }

  /** A batch's checks that need no database: its size, each node's fields, one folder for all. */
  void checkBatch(List<CreateNodeRequest> rs) {
    if (rs.isEmpty() || rs.size() > CreateBatchRequest.MAX_NODES) {
      throw badRequest("a batch creates 1 to " + CreateBatchRequest.MAX_NODES + " nodes, not " + rs.size());
    }
    if (rs.stream().anyMatch(r -> r == null)) {
      throw badRequest("a batch's nodes must not be null");
    }
    UUID parentId = Checks.required(rs.get(0).parentId(), "nodes[0].parentId");
    for (CreateNodeRequest r : rs) {
      validate(r);
      if (!parentId.equals(r.parentId())) {
        // one folder, one tree lock: nodes in several trees would take their locks out of order
        throw badRequest("every node of a batch goes into the same folder");
      }
    }
  }

  private void validate(CreateNodeRequest r) {
    Checks.required(r.id(), "id");
    Checks.required(r.parentId(), "parentId");
    NodeKind kind = Checks.required(r.kind(), "kind");
    Checks.encName(r.encName());
    Checks.bytes(r.wrappedKey(), "wrappedKey", 1, Checks.MAX_KEY_BYTES);
    CommitRequest first = r.version();
    if (first != null) {
      if (kind != NodeKind.F) {
        throw badRequest("only files have versions; a folder cannot be created with one");
      }
      if (first.baseVersionId() != null) {
        throw badRequest("version.baseVersionId must be null when creating a file");
      }
      validate(first, "version.");
    }
  }

  private Created create(Connection c, UUID user, CreateNodeRequest r, Optional<String> key) throws SQLException {
    UUID id = Checks.required(r.id(), "id");
    UUID parentId = Checks.required(r.parentId(), "parentId");
    NodeKind kind = Checks.required(r.kind(), "kind");
    byte[] encName = Checks.encName(r.encName());
    byte[] wrappedKey = Checks.bytes(r.wrappedKey(), "wrappedKey", 1, Checks.MAX_KEY_BYTES);
    CommitRequest first = r.version();
    Optional<Created> repeat = repeatedCreate(c, user, id, parentId, key);
    if (repeat.isPresent()) {
      return repeat.get();
    }
    NodeRow parent =
        lockedNode(c, user, parentId, () -> notFound("no parent folder " + parentId));
    var existing = nodes.node(c, id);
    if (existing.isEmpty() && done(c, user, key)) {
      throw deletedSince(id);
    }
    if (existing.isPresent()) {
      NodeRow e = existing.get();
      if (parentId.equals(e.parentId())
          && Arrays.equals(encName, e.encName())
          && kind == e.kind()
          && parent.ownerId().equals(e.ownerId())) {
        // a retried request whose reply was lost: answer as the first time
        Access access = requireAccess(c, user, e);
        NodeView view = nodes.view(c, id, user).orElseThrow();
        return new Created(info(c, view, access, true), false);
      }
      throw badRequest("node id " + id + " is already used by another node");
    }
    if (parent.kind() != NodeKind.D) {
      throw badRequest("parent " + parentId + " is not a folder");
    }
    Access parentAccess = requireAccess(c, user, parent);
    if (!parentAccess.canWrite()) {
      throw forbidden("read-only access to folder " + parentId);
    }
    requireDepth(nodes.lineage(c, parentId, user), 0);
    long now = clock.millis();
    NodeRow node =
        new NodeRow(
            id, parentId, parent.ownerId(), kind, encName, wrappedKey, null, 0, now, now);
    try {
      nodes.insert(c, node);
    } catch (SQLException e) {
      throw uniqueOr(e, "folder " + parentId + " already has an entry with that name");
    }
    if (first != null) {
      commitInTransaction(c, user, node, first);
    }
    record(c, user, key);
    NodeView view = nodes.view(c, id, user).orElseThrow();
    return new Created(info(c, view, parentAccess, true), true);
  }

  /**
   * The answer to a create whose {@code key} was recorded already, looked up under the lock of the
   * tree the node is in now (a subtree keeps its owner, so that is the tree it was created in):
   * the node as it is now, wherever it was moved and whatever it was renamed to, or not found if
   * it was deleted since. Empty when the create is not known to have been applied.
   */
  private Optional<Created> repeatedCreate(
      Connection c, UUID user, UUID id, UUID parentId, Optional<String> key) throws SQLException {
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Optional<NodeRow> node = nodes.node(c, id);
    if (node.isEmpty()) {
      if (nodes.node(c, parentId).isEmpty() && done(c, user, key)) {
        // no tree to lock: a recorded key stays recorded, so the answer cannot change
        throw deletedSince(id);
      }
      return Optional.empty(); // the parent's tree lock comes first; the key is looked up then
    }
    UUID owner = node.get().ownerId();
    Optional<NodeRow> parent = nodes.node(c, parentId);
    if (parent.isPresent() && !parent.get().ownerId().equals(owner) && !done(c, user, key)) {
      // another tree's node: the id is taken whatever the lock says; locking both trees here
      // would take them out of the order every other change keeps
      throw badRequest("node id " + id + " is already used by another node");
    }
    users.lockTrees(c, owner, user);
    if (!done(c, user, key)) {
      return Optional.empty();
    }
    NodeView now = nodes.view(c, id, user).orElseThrow(() -> deletedSince(id));
    return Optional.of(
        new Created(info(c, now, requireAccess(c, user, now.node()), true), false));
  }

  private static ApiException deletedSince(UUID id) {
    return notFound("node " + id + " was created by this request and has been deleted since");
  }

  /**
   * Whether {@code user}'s change with {@code key} was applied already. Read without a tree lock,
   * so only a yes is final (a recorded key stays recorded): it lets a create sent again skip the
   * checks made before its transaction, which judge a node that may have been renamed since.
   */
  boolean applied(UUID user, Optional<String> key) {
    return key.isPresent() && db.read(c -> requests.seen(c, user, key.get()));
  }

  NodeInfo commit(UUID user, UUID id, CommitRequest r) {
    validate(r, "");
    return db.write(
        c -> {
          NodeRow node = lockedNode(c, user, id, () -> noNode(id));
          Access access = requireAccess(c, user, node);
          if (node.kind() != NodeKind.F) {
            throw badRequest("only files have versions; " + id + " is a folder");
          }
          if (!access.canWrite()) {
            throw forbidden("read-only access to file " + id);
          }
          commitInTransaction(c, user, node, r);
          return info(c, nodes.view(c, id, user).orElseThrow(), access, true);
        });
  }

  NodeInfo move(UUID user, UUID id, MoveRequest r) {
    return move(user, id, r, Optional.empty());
  }

  /**
   * Renames or moves a node. With a {@code key} already recorded for {@code user}, this is the
   * same move sent again after its answer was lost: it answers the node as it is now and moves
   * nothing, so a move made in between stays.
   */
  NodeInfo move(UUID user, UUID id, MoveRequest r, Optional<String> key) {
    UUID parentId = Checks.required(r.parentId(), "parentId");
    byte[] encName = Checks.encName(r.encName());
    byte[] wrappedKey = Checks.bytes(r.wrappedKey(), "wrappedKey", 1, Checks.MAX_KEY_BYTES);
    Map<UUID, byte[]> reseals = new HashMap<>();
    for (Reseal reseal : r.reseals() == null ? List.<Reseal>of() : r.reseals()) {
      Checks.required(reseal, "reseals[]");
      UUID grantee = Checks.required(reseal.granteeId(), "reseals[].granteeId");
      byte[] sealed =
          Checks.bytes(reseal.sealedKey(), "reseals[].sealedKey", 1, Checks.MAX_KEY_BYTES);
      if (reseals.put(grantee, sealed) != null) {
        throw badRequest("reseals lists grantee " + grantee + " twice");
      }
    }
    return db.write(
        c -> {
          NodeRow node = lockedNode(c, user, id, () -> noNode(id));
          if (done(c, user, key)) {
            NodeView now = nodes.view(c, id, user).orElseThrow();
            return info(c, now, requireAccess(c, user, now.node()), true);
          }
          requireManage(c, user, node, "rename or move");
          NodeRow dest =
              nodes.node(c, parentId).orElseThrow(() -> notFound("no folder " + parentId));
          if (dest.kind() != NodeKind.D) {
            throw badRequest("destination " + parentId + " is not a folder");
          }
          Lineage destLineage = nodes.lineage(c, dest.id(), user);
          Access destAccess = access(user, dest, destLineage);
          if (destAccess == null || !destAccess.canWrite()) {
            throw forbidden("no write access to destination folder " + parentId);
          }
          if (!dest.ownerId().equals(node.ownerId())) {
            throw badRequest("moves cannot cross owners");
          }
          if (destLineage.ids().contains(node.id())) {
            throw new ApiException(
                ErrorType.INVALID_MOVE, "cannot move " + id + " into itself or below itself");
          }
          if (!parentId.equals(node.parentId())) {
            requireDepth(destLineage, nodes.subtreeHeight(c, id)); // a rename keeps the depth
          }
          // Only the owner re-seals grants (and learns who they are for). A WRITE grantee
          // renaming an entry inside a share leaves its grants as they are: their sealed name
          // is what the owner shared it as.
          boolean owner = node.ownerId().equals(user);
          if (!owner && !reseals.isEmpty()) {
            throw forbidden("only the owner of " + id + " can re-seal its grants");
          }
          Set<UUID> grantees = owner ? new HashSet<>(grants.grantees(c, id)) : Set.of();
          if (owner && !grantees.equals(reseals.keySet())) {
            Set<UUID> missing = new LinkedHashSet<>(grantees);
            missing.removeAll(reseals.keySet());
            Set<UUID> extra = new LinkedHashSet<>(reseals.keySet());
            extra.removeAll(grantees);
            throw badRequest(
                "reseal every grant: the node has "
                    + grantees.size()
                    + " grant(s)"
                    + (missing.isEmpty() ? "" : "; missing reseals for " + missing)
                    + (extra.isEmpty() ? "" : "; no grant for " + extra));
          }
          try {
            nodes.move(c, id, parentId, encName, wrappedKey, clock.millis());
          } catch (SQLException e) {
            throw uniqueOr(e, "folder " + parentId + " already has an entry with that name");
          }
          for (Map.Entry<UUID, byte[]> reseal : reseals.entrySet()) {
            grants.reseal(c, id, reseal.getKey(), reseal.getValue());
          }
          record(c, user, key);
          NodeView view = nodes.view(c, id, user).orElseThrow();
          return info(c, view, requireAccess(c, user, view.node()), true);
        });
  }

  void delete(UUID user, UUID id, boolean recursive) {
    delete(user, id, recursive, Optional.empty());
  }

  /**
   * Deletes a node (and with {@code recursive} its subtree). With a {@code key} already recorded
   * for {@code user}, this is the same delete sent again after its answer was lost: done, even
   * though the node is gone now.
   */
  void delete(UUID user, UUID id, boolean recursive, Optional<String> key) {
    db.write(
        c -> {
          Optional<NodeRow> seen = nodes.node(c, id);
          if (seen.isEmpty()) {
            if (done(c, user, key)) {
              return null;
            }
            throw noNode(id);
          }
          users.lockTrees(c, seen.get().ownerId(), user);
          Optional<NodeRow> locked =
              db.dialect().singleWriter() ? seen : nodes.node(c, id); // changed while we waited?
          if (done(c, user, key)) {
            return null;
          }
          NodeRow node = locked.orElseThrow(() -> noNode(id));
          requireManage(c, user, node, "delete");
          if (node.kind() == NodeKind.D && !recursive && nodes.hasChildren(c, id)) {
            throw new ApiException(
                ErrorType.NOT_EMPTY, "folder " + id + " is not empty (use ?recursive=true)");
          }
          // refs first (in hash order, before the rows that list the blocks: see addRefs); block
          // files stay, the garbage collector removes unreferenced ones after the grace period
          versions.addRefs(c, nodes.subtreeBlockUses(c, id), -1);
          long freed = nodes.deleteSubtree(c, id);
          // a subtree never crosses owners: moves cannot, and new nodes take the parent's owner
          users.addUsedBytes(c, node.ownerId(), -freed);
          record(c, user, key);
          return null;
        });
  }

  /**
   * Refuses to put a subtree {@code height} levels deep below the folder whose lineage is given
   * when the tree would grow past {@link NodeStore#MAX_TREE_DEPTH}, or when the lineage does not
   * reach a home folder (a damaged tree: growing it could hide a cycle from the checks).
   */
  private static void requireDepth(Lineage folder, int height) {
    if (!folder.rooted()) {
      throw new ApiException(ErrorType.INVALID_MOVE, "the destination is not inside a home folder");
    }
    int depth = folder.ids().size() + height;
    if (depth > NodeStore.MAX_TREE_DEPTH) {
      throw badRequest(
          "folders nest at most " + NodeStore.MAX_TREE_DEPTH + " deep; this would make " + depth);
    }
  }

  // ---- commit ----

  private static void validate(CommitRequest r, String prefix) {
    Checks.required(r.versionId(), prefix + "versionId");
    List<BlockRef> blocks = Checks.required(r.blocks(), prefix + "blocks");
    Checks.range(
        r.segmentSize(), Checks.MIN_SEGMENT_SIZE, Checks.MAX_SEGMENT_SIZE, prefix + "segmentSize");
    long sum = 0;
    for (int i = 0; i < blocks.size(); i++) {
      BlockRef b = Checks.required(blocks.get(i), prefix + "blocks[" + i + "]");
      Checks.hash(b.hash(), prefix + "blocks[" + i + "].hash");
      Checks.range(b.length(), 1, Checks.MAX_BLOCK_BYTES, prefix + "blocks[" + i + "].length");
      sum += b.length();
    }
    if (r.size() != sum) {
      throw badRequest(
          prefix + "size is " + r.size() + " but the blocks add up to " + sum + " bytes");
    }
    if (r.meta() != null) {
      Checks.bytes(r.meta(), prefix + "meta", 1, CommitRequest.MAX_META_BYTES);
    }
  }

  /** Commits a version of {@code node} (a file the caller may write) inside the transaction. */
  private void commitInTransaction(Connection c, UUID user, NodeRow node, CommitRequest r)
      throws SQLException {
    var same = versions.version(c, r.versionId());
    if (same.isPresent()) {
      if (same.get().nodeId().equals(node.id())) {
        return; // a retry of a commit that succeeded: the node is answered as it is now
      }
      throw badRequest("versionId " + r.versionId() + " is already used by another file");
    }
    if (!Objects.equals(node.currentVersionId(), r.baseVersionId())) {
      throw ApiException.versionConflict(node.currentVersionId());
    }
    if (r.inline() != null) {
      // stored durably by Blocks.storeInline before this transaction; recorded here
      Blocks.Recorded inline = blocks.record(c, r.blocks().get(0).hash(), r.inline().length);
      if (inline != Blocks.Recorded.LIVE) {
        throw ApiException.collected(r.blocks().get(0).hash());
      }
    }
    // the refs this commit changes, net per block: +1 per use by the new version, -1 per use by
    // each version it prunes; all in one pass in hash order, so that two commits sharing blocks
    // lock them in the same order
    List<VersionRow> released = versions.olderThanNewest(c, node.id(), keepVersions - 1);
    SortedMap<String, Long> refChanges = new TreeMap<>();
    for (BlockRef b : r.blocks()) {
      refChanges.merge(b.hash(), 1L, Long::sum);
    }
    for (VersionRow old : released) {
      versions.uses(c, old.id()).forEach((hash, n) -> refChanges.merge(hash, -n, Long::sum));
    }
    // locked until the commit ends, so no garbage collector can doom them meanwhile
    Map<String, BlockRow> stored = versions.lockBlocks(c, refChanges.keySet());
    List<String> missing =
        r.blocks().stream()
            .map(BlockRef::hash)
            .distinct()
            .filter(h -> !stored.containsKey(h) || stored.get(h).doomed())
            .toList();
    if (!missing.isEmpty()) {
      throw ApiException.missingBlocks(missing);
    }
    for (BlockRef b : r.blocks()) {
      long length = stored.get(b.hash()).length();
      if (length != b.length()) {
        throw badRequest("block " + b.hash() + " has " + length + " bytes, not " + b.length());
      }
    }
    long releasedBytes = released.stream().mapToLong(VersionRow::size).sum();
    UserRow owner = users.byId(c, node.ownerId()).orElseThrow();
    long used = owner.usedBytes();
    long newUsed = used + r.size() - releasedBytes;
    if (newUsed > owner.quotaBytes() && newUsed > used) {
      throw new ApiException(
          ErrorType.QUOTA_EXCEEDED,
          "the owner's quota is "
              + owner.quotaBytes()
              + " bytes, "
              + used
              + " used; this version needs "
              + (newUsed - used)
              + " more");
    }
    long now = clock.millis();
    VersionRow v =
        new VersionRow(
            r.versionId(),
            node.id(),
            versions.maxSeq(c, node.id()) + 1,
            r.size(),
            r.segmentSize(),
            user,
            now,
            r.meta());
    // refs first: the exclusive row locks before the foreign-key checks' shared ones
    versions.addRefs(c, refChanges, 1);
    versions.insert(c, v, r.blocks());
    for (VersionRow old : released) {
      versions.delete(c, old.id());
    }
    nodes.setCurrentVersion(c, node.id(), v.id(), r.size(), now);
    users.addUsedBytes(c, node.ownerId(), r.size() - releasedBytes);
  }

  // ---- access ----

  /**
   * Fails unless {@code user} may write node {@code id} (a file to commit to, or a folder to
   * create in): checked before an inline block is stored, so that only writers store blocks
   * that way. The commit's transaction checks again.
   */
  void requireWritable(UUID user, UUID id) {
    requireWritable(user, id, Optional.empty(), null);
  }

  /**
   * As {@link #requireWritable(UUID, UUID)} for folder {@code id}, and fails with name-exists
   * when another node already has the name {@code encName}: a create that would fail anyway must
   * not leave its inline block behind. Node {@code childId} itself having it is the same create
   * sent again after its answer was lost, which {@link #create} answers as the first time.
   */
  void requireWritable(UUID user, UUID id, UUID childId, byte[] encName) {
    requireWritable(user, id, Optional.of(encName), childId);
  }

  private void requireWritable(UUID user, UUID id, Optional<byte[]> encName, UUID childId) {
    db.read(
        c -> {
          NodeRow node = nodes.node(c, id).orElseThrow(() -> noNode(id));
          if (!requireAccess(c, user, node).canWrite()) {
            throw forbidden("read-only access to " + id);
          }
          if (encName.isPresent()
              && nodes
                  .childView(c, id, encName.get(), user)
                  .filter(existing -> !existing.node().id().equals(childId))
                  .isPresent()) {
            throw new ApiException(ErrorType.NAME_EXISTS, "folder " + id + " already has an entry with that name");
          }
          return null;
        });
  }

  /** The caller's access to {@code node}, or null for none. */
  private static Access access(UUID user, NodeRow node, Lineage lineage) {
    if (node.ownerId().equals(user)) {
      return Access.OWNER;
    }
    return toAccess(lineage.grant());
  }

  private Access requireAccess(Connection c, UUID user, NodeRow node) throws SQLException {
    if (node.ownerId().equals(user)) {
      return Access.OWNER; // no ancestry needed: a subtree has one owner
    }
    Access access = toAccess(nodes.lineage(c, node.id(), user).grant());
    if (access == null) {
      throw forbidden("no access to node " + node.id());
    }
    return access;
  }

  /** Rename, move, delete: the owner, or a writer of an enclosing shared folder. */
  private void requireManage(Connection c, UUID user, NodeRow node, String what)
      throws SQLException {
    if (node.isHome()) {
      throw forbidden("a home folder cannot be renamed, moved or deleted");
    }
    if (node.ownerId().equals(user)) {
      return;
    }
    if (nodes.lineage(c, node.id(), user).strictAncestorGrant() != Mode.W) {
      throw forbidden(
          "only the owner, or a writer of a folder shared above it, may "
              + what
              + " node "
              + node.id());
    }
  }

  private static Access childAccess(Access parentAccess, NodeView child) {
    if (parentAccess == Access.OWNER) {
      return Access.OWNER;
    }
    Access own = toAccess(child.ownGrant());
    return own == Access.WRITE ? Access.WRITE : parentAccess;
  }

  private static Access toAccess(Mode mode) {
    if (mode == null) {
      return null;
    }
    return mode == Mode.W ? Access.WRITE : Access.READ;
  }

  // ---- helpers ----

  /** Whether {@code user}'s change with {@code key} was applied already (under the tree's lock). */
  private boolean done(Connection c, UUID user, Optional<String> key) throws SQLException {
    return key.isPresent() && requests.seen(c, user, key.get());
  }

  private void record(Connection c, UUID user, Optional<String> key) throws SQLException {
    if (key.isPresent()) {
      requests.record(c, user, key.get());
    }
  }

  /**
   * Node {@code id}, read after locking its owner's tree for {@code user} ({@link
   * UserStore#lockTrees}): every change to a tree starts here, so what it then reads of the tree
   * stays as read until it commits.
   */
  private NodeRow lockedNode(Connection c, UUID user, UUID id, Supplier<ApiException> missing)
      throws SQLException {
    NodeRow seen = nodes.node(c, id).orElseThrow(missing);
    users.lockTrees(c, seen.ownerId(), user);
    if (db.dialect().singleWriter()) {
      return seen; // nothing else writes meanwhile
    }
    // it may have changed (moved, committed to, deleted) while the lock was awaited
    return nodes.node(c, id).orElseThrow(missing);
  }

  private NodeRow requireFolder(Connection c, UUID id) throws SQLException {
    NodeRow node = nodes.node(c, id).orElseThrow(() -> noNode(id));
    if (node.kind() != NodeKind.D) {
      throw badRequest("node " + id + " is a file, not a folder");
    }
    return node;
  }

  private VersionRow requireVersion(Connection c, NodeRow node, UUID versionId)
      throws SQLException {
    return versions
        .version(c, versionId)
        .filter(v -> v.nodeId().equals(node.id()))
        .orElseThrow(() -> notFound("file " + node.id() + " has no version " + versionId));
  }

  private NodeInfo info(Connection c, NodeView view, Access access, boolean withBlocks)
      throws SQLException {
    NodeRow n = view.node();
    VersionInfo version = null;
    if (view.version() != null) {
      version =
          versionInfo(
              view.version(), withBlocks ? versions.blocks(c, view.version().id()) : List.of());
    }
    return new NodeInfo(
        n.id(),
        n.parentId(),
        n.ownerId(),
        n.kind(),
        n.encName(),
        n.wrappedKey(),
        n.size(),
        version,
        Rows.instant(n.createdAt()),
        Rows.instant(n.modifiedAt()),
        access,
        access == Access.OWNER && view.hasGrants());
  }

  private static VersionInfo versionInfo(VersionRow v, List<BlockRef> blocks) {
    return new VersionInfo(
        v.id(),
        v.seq(),
        v.size(),
        v.segmentSize(),
        v.authorId(),
        Rows.instant(v.createdAt()),
        blocks,
        v.meta());
  }

  private ApiException uniqueOr(SQLException e, String detail) throws SQLException {
    if (db.dialect().isUniqueViolation(e)) {
      return new ApiException(ErrorType.NAME_EXISTS, detail);
    }
    throw e;
  }

  private static ApiException noNode(UUID id) {
    return notFound("no node " + id);
  }
}
