package io.edfs.server.internal;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateBatchRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.LoginRequest;
import io.edfs.protocol.MissingBlocksRequest;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeList;
import io.edfs.protocol.PreloginRequest;
import io.edfs.protocol.SignupRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jetty.http.HttpHeader;

/** The REST v1 route table (see {@code io.edfs.protocol} package-info): HTTP in, services out. */
final class Endpoints {
  private Endpoints() {}

  /**
   * Stores the inline blocks of a batch of creates before its transaction, as a single create
   * does, after the same cheap checks (so that a batch bound to fail leaves no blocks behind);
   * the blocks are written at once, so their flushes overlap.
   */
  private static void storeInline(Exchange ex, Tree tree, Blocks blocks, List<CreateNodeRequest> nodes)
      throws IOException {
    long inline = 0;
    for (CreateNodeRequest r : nodes) {
      if (r == null) {
        throw ApiException.badRequest("a batch's nodes must not be null");
      }
      if (r.version() != null && r.version().inline() != null) {
        inline += r.version().inline().length;
        tree.requireWritable(
            ex.user(),
            Checks.required(r.parentId(), "parentId"),
            Checks.required(r.id(), "id"),
            Checks.encName(r.encName()));
      }
    }
    if (inline > CreateBatchRequest.MAX_INLINE_TOTAL) {
      throw ApiException.tooLarge(
          "a batch carries at most " + CreateBatchRequest.MAX_INLINE_TOTAL + " inline bytes, got " + inline);
    }
    try (var scope = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> stored = new ArrayList<>();
      for (CreateNodeRequest r : nodes) {
        stored.add(scope.submit(() -> {
          blocks.storeInline(r.version());
          return null;
        }));
      }
      for (var f : stored) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while storing blocks", e);
        }
      }
    }
  }

  static Router router(Accounts accounts, Tree tree, Sharing sharing, Blocks blocks) {
    return new Router()
        .open(
            "POST",
            "/v1/prelogin",
            ex -> ex.respond(200, accounts.prelogin(ex.json(PreloginRequest.class))))
        .open(
            "POST",
            "/v1/signup",
            ex -> ex.respond(201, accounts.signup(ex.json(SignupRequest.class))))
        .open(
            "POST",
            "/v1/login",
            ex -> ex.respond(200, accounts.login(ex.json(LoginRequest.class), ex.clientAddress())))
        .authenticated(
            "POST",
            "/v1/logout",
            ex -> {
              accounts.logout(ex.session());
              ex.noContent();
            })
        .authenticated("GET", "/v1/account", ex -> ex.respond(200, accounts.account(ex.user())))
        .authenticated("GET", "/v1/users/{}", ex -> ex.respond(200, accounts.user(ex.param(0))))
        .authenticated(
            "POST",
            "/v1/nodes",
            ex -> {
              CreateNodeRequest request = ex.json(CreateNodeRequest.class);
              // a create sent again after it was applied is answered by tree.create as the node
              // is now: the checks for a fresh inline create would judge a renamed node, and its
              // block is stored already
              if (request.version() != null
                  && request.version().inline() != null
                  && !tree.applied(ex.user(), ex.requestKey())) {
                tree.requireWritable(
                    ex.user(),
                    Checks.required(request.parentId(), "parentId"),
                    Checks.required(request.id(), "id"),
                    Checks.encName(request.encName()));
                blocks.storeInline(request.version());
              }
              Tree.Created created = tree.create(ex.user(), request, ex.requestKey());
              ex.respond(created.created() ? 201 : 200, created.node());
            })
        .authenticated(
            "POST",
            "/v1/batches/nodes",
            ex -> {
              CreateBatchRequest request = ex.json(CreateBatchRequest.class, CreateBatchRequest.MAX_BODY_BYTES);
              List<CreateNodeRequest> nodes = Checks.required(request.nodes(), "nodes");
              // the cheap checks before any block is stored; node i's key is the request's plus #i
              tree.checkBatch(nodes);
              if (ex.requestKey().filter(k -> k.length() > 60).isPresent()) {
                throw ApiException.badRequest("a batch's idempotency key has at most 60 characters");
              }
              if (!tree.applied(ex.user(), ex.requestKey().map(k -> k + "#0"))) {
                storeInline(ex, tree, blocks, nodes);
              }
              ex.respond(200, new NodeList(tree.createAll(ex.user(), nodes, ex.requestKey())));
            })
        .authenticated(
            "GET",
            "/v1/nodes/{}",
            ex -> ex.respond(200, tree.get(ex.user(), ex.uuidParam(0, "node id"))))
        .authenticated(
            "PATCH",
            "/v1/nodes/{}",
            ex ->
                ex.respond(
                    200,
                    tree.move(
                        ex.user(),
                        ex.uuidParam(0, "node id"),
                        ex.json(MoveRequest.class),
                        ex.requestKey())))
        .authenticated(
            "DELETE",
            "/v1/nodes/{}",
            ex -> {
              boolean recursive = flag(ex.query("recursive"), "recursive");
              tree.delete(ex.user(), ex.uuidParam(0, "node id"), recursive, ex.requestKey());
              ex.noContent();
            })
        .authenticated(
            "GET",
            "/v1/nodes/{}/children",
            ex -> {
              UUID id = ex.uuidParam(0, "node id");
              Optional<String> name = ex.query("name");
              if (name.isPresent()) {
                ex.respond(200, tree.child(ex.user(), id, base64Url(name.get())));
              } else {
                ex.respond(200, tree.children(ex.user(), id));
              }
            })
        .authenticated(
            "POST",
            "/v1/nodes/{}/versions",
            ex -> {
              CommitRequest request = ex.json(CommitRequest.class);
              UUID id = ex.uuidParam(0, "node id");
              if (request.inline() != null) {
                tree.requireWritable(ex.user(), id);
                blocks.storeInline(request);
              }
              ex.respond(200, tree.commit(ex.user(), id, request));
            })
        .authenticated(
            "GET",
            "/v1/nodes/{}/versions/{}",
            ex ->
                ex.respond(
                    200,
                    tree.version(
                        ex.user(), ex.uuidParam(0, "node id"), ex.uuidParam(1, "version id"))))
        .authenticated("GET", "/v1/nodes/{}/versions/{}/blocks/{}", ex -> block(ex, tree, blocks))
        .authenticated(
            "POST",
            "/v1/blocks/missing",
            ex -> ex.respond(200, blocks.missing(ex.json(MissingBlocksRequest.class))))
        .authenticated(
            "PUT",
            "/v1/blocks/{}",
            ex -> {
              String hash = Checks.hash(ex.param(0), "block hash");
              long length = ex.contentLength();
              if (length < 0) {
                throw ApiException.badRequest("a block upload needs a Content-Length header");
              }
              blocks.put(hash, length, ex::body);
              ex.noContent();
            })
        .authenticated(
            "GET",
            "/v1/nodes/{}/grants",
            ex -> ex.respond(200, sharing.ofNode(ex.user(), ex.uuidParam(0, "node id"))))
        .authenticated(
            "PUT",
            "/v1/nodes/{}/grants/{}",
            ex ->
                ex.respond(
                    200,
                    sharing.put(
                        ex.user(),
                        ex.uuidParam(0, "node id"),
                        ex.uuidParam(1, "grantee id"),
                        ex.json(GrantRequest.class),
                        ex.requestKey())))
        .authenticated(
            "DELETE",
            "/v1/nodes/{}/grants/{}",
            ex -> {
              sharing.delete(
                  ex.user(),
                  ex.uuidParam(0, "node id"),
                  ex.uuidParam(1, "grantee id"),
                  ex.requestKey());
              ex.noContent();
            })
        .authenticated("GET", "/v1/grants/given", ex -> ex.respond(200, sharing.given(ex.user())))
        .authenticated(
            "GET", "/v1/grants/received", ex -> ex.respond(200, sharing.received(ex.user())));
  }

  /** Streams one block of a version; honours a single {@code Range: bytes=a-b}. */
  private static void block(Exchange ex, Tree tree, Blocks blocks) throws Exception {
    UUID id = ex.uuidParam(0, "node id");
    UUID versionId = ex.uuidParam(1, "version id");
    int index = ex.indexParam(2, "block index");
    BlockRef ref = tree.block(ex.user(), id, versionId, index);
    long length = ref.length();
    Optional<long[]> range = ex.header(HttpHeader.RANGE).flatMap(r -> range(r, length));
    long start = range.map(r -> r[0]).orElse(0L);
    long count = range.map(r -> r[1] - r[0] + 1).orElse(length);
    Map<String, String> headers =
        range
            .map(
                r ->
                    Map.of(
                        "Accept-Ranges",
                        "bytes",
                        "Content-Range",
                        "bytes " + r[0] + "-" + r[1] + "/" + length))
            .orElse(Map.of("Accept-Ranges", "bytes"));
    try (InputStream in = blocks.open(ref.hash(), start)) {
      ex.stream(range.isPresent() ? 206 : 200, count, headers, in);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException(
          "block " + ref.hash() + " of version " + versionId + " is missing from the block store");
    }
  }

  /**
   * A single satisfiable byte range as {first, last}; anything else is ignored (the whole block is
   * sent), which RFC 9110 allows.
   */
  static Optional<long[]> range(String header, long length) {
    if (!header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return Optional.empty();
    }
    String spec = header.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return Optional.empty();
    }
    try {
      String a = spec.substring(0, dash).strip();
      String b = spec.substring(dash + 1).strip();
      long first;
      long last;
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0) {
          return Optional.empty();
        }
        first = Math.max(0, length - suffix);
        last = length - 1;
      } else {
        first = Long.parseLong(a);
        last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
      }
      if (first < 0 || first > last || first >= length) {
        return Optional.empty();
      }
      return Optional.of(new long[] {first, last});
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean flag(Optional<String> value, String name) {
    if (value.isEmpty()) {
      return false;
    }
    return switch (value.get()) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw ApiException.badRequest(name + " must be true or false");
    };
  }

  /** Base64url, with or without padding. */
  private static byte[] base64Url(String value) {
    try {
      return Checks.encName(Base64.getUrlDecoder().decode(value));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("name must be base64url (RFC 4648 section 5)");
    }
  }
}
