package io.edfs.server.internal;

import static io.edfs.server.internal.ApiException.badRequest;
import static io.edfs.server.internal.ApiException.forbidden;
import static io.edfs.server.internal.ApiException.notFound;

import io.edfs.protocol.ErrorType;
import io.edfs.protocol.GrantInfo;
import io.edfs.protocol.GrantList;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.Mode;
import io.edfs.server.internal.NodeStore.NodeRow;
import io.edfs.server.internal.UserStore.UserRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * Grants (DESIGN §3 Sharing): only a node's owner lists, gives, changes or revokes them. A revoke
 * takes effect on the grantee's next request, since access is computed per request. Thread-safe.
 */
final class Sharing {
  private final Database db;
  private final NodeStore nodes;
  private final GrantStore grants;
  private final UserStore users;
  private final RequestKeys requests;
  private final Clock clock;

  Sharing(
      Database db,
      NodeStore nodes,
      GrantStore grants,
      UserStore users,
      RequestKeys requests,
      Clock clock) {
    this.db = db;
    this.nodes = nodes;
    this.grants = grants;
    this.users = users;
    this.requests = requests;
    this.clock = clock;
  }

  GrantList ofNode(UUID user, UUID nodeId) {
    return db.read(
        c -> {
          requireOwner(c, user, nodeId, "list the grants of");
          return new GrantList(grants.ofNode(c, nodeId));
        });
  }

  GrantInfo put(UUID user, UUID nodeId, UUID granteeId, GrantRequest r) {
    return put(user, nodeId, granteeId, r, Optional.empty());
  }

  /**
   * Gives or changes a grant. With a {@code key} already recorded for {@code user}, this is the
   * same grant sent again after its answer was lost: it answers the grant as it is now (or as it
   * was given, if it was revoked since) and grants nothing, so a revoke made in between stays.
   */
  GrantInfo put(UUID user, UUID nodeId, UUID granteeId, GrantRequest r, Optional<String> key) {
    Mode mode = Checks.required(r.mode(), "mode");
    byte[] sealedKey = Checks.bytes(r.sealedKey(), "sealedKey", 1, Checks.MAX_KEY_BYTES);
    if (granteeId.equals(user)) {
      throw badRequest("cannot grant access to yourself");
    }
    return db.write(
        c -> {
          users.lockTrees(c, user, granteeId); // the grant references the grantee's row
          NodeRow node = requireOwner(c, user, nodeId, "share");
          if (key.isPresent() && requests.seen(c, user, key.get())) {
            Optional<GrantInfo> now = grants.info(c, nodeId, granteeId);
            if (now.isPresent()) {
              return now.get();
            }
            return new GrantInfo(
                nodeId,
                node.kind(),
                user,
                users.byId(c, user).orElseThrow().username(),
                granteeId,
                users.byId(c, granteeId).map(UserRow::username).orElse(""),
                mode,
                sealedKey,
                Rows.instant(clock.millis()));
          }
          if (!users.exists(c, granteeId)) {
            throw new ApiException(ErrorType.UNKNOWN_USER, "no user " + granteeId);
          }
          grants.upsert(c, nodeId, granteeId, mode, sealedKey, user, clock.millis());
          if (key.isPresent()) {
            requests.record(c, user, key.get());
          }
          return grants.info(c, nodeId, granteeId).orElseThrow();
        });
  }

  void delete(UUID user, UUID nodeId, UUID granteeId) {
    delete(user, nodeId, granteeId, Optional.empty());
  }

  /**
   * Revokes a grant (a missing one is fine). With a {@code key} already recorded for {@code
   * user}, this is the same revoke sent again after its answer was lost: done, and a grant given
   * again in between stays.
   */
  void delete(UUID user, UUID nodeId, UUID granteeId, Optional<String> key) {
    db.write(
        c -> {
          users.lockTrees(c, user, user);
          requireOwner(c, user, nodeId, "revoke grants on");
          if (key.isPresent() && requests.seen(c, user, key.get())) {
            return null;
          }
          grants.delete(c, nodeId, granteeId);
          if (key.isPresent()) {
            requests.record(c, user, key.get());
          }
          return null;
        });
  }

  GrantList given(UUID user) {
    return db.read(c -> new GrantList(grants.given(c, user)));
  }

  GrantList received(UUID user) {
    return db.read(c -> new GrantList(grants.received(c, user)));
  }

  private NodeRow requireOwner(Connection c, UUID user, UUID nodeId, String what)
      throws SQLException {
    NodeRow node = nodes.node(c, nodeId).orElseThrow(() -> notFound("no node " + nodeId));
    if (!node.ownerId().equals(user)) {
      throw forbidden("only the owner may " + what + " node " + nodeId);
    }
    return node;
  }
}
